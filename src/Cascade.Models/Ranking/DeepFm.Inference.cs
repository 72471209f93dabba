using Cascade.Features.Encoders;
using Cascade.Features.Schema;
using Cascade.Kernels;
using Cascade.Nn.Layers;
using Cascade.Tensors;

namespace Cascade.Models.Ranking;

public sealed partial class DeepFm : ISplitCtrModel
{
    /// <summary>
    /// The request/ad split of this model's logit (see <see cref="DeepFmSplitScorer"/>), or null when the DNN has a
    /// normalisation or a parametric activation (PReLU, Dice), whose eval-mode form this helper does not replicate.
    /// </summary>
    public SplitCtrScorer? CreateSplitScorer()
    {
        if (_deep is not null && (_deep.Options.Norm != MlpNorm.None || _deep.Options.Activation is Activation.PRelu or Activation.Dice)) return null;
        return new DeepFmSplitScorer(this, _deep, _output);
    }
}

/// <summary>
/// DeepFM's logit split by side (DESIGN.md §1 "split models"). With the fields F = U ∪ A (request side: user and
/// context fields; ad side: item fields) every term separates:
/// <list type="bullet">
/// <item>linear: y_lin = Σ_{f∈U} w_f + Σ_{f∈A} w_f (dense fields likewise);</item>
/// <item>FM (Rendle Eq. 5): ½ (‖s_U + s_A‖² − q_U − q_A) with s_X = Σ_{f∈X} e_f and q_X = Σ_{f∈X} ‖e_f‖²;</item>
/// <item>DNN layer 1: W₁·[e_1; …; e_F; x] + b₁ = (W₁ᵤ·x_U + b₁) + W₁ₐ·x_A, the column blocks of W₁ by side.</item>
/// </list>
/// An ad's cache is [lin_A, q_A, s_A (D), W₁ₐ·x_A (H₁)]; the request part is [lin_U + b, q_U, s_U (D), W₁ᵤ·x_U + b₁ (H₁)].
/// Per request only N·H₁ adds, the layers after the first ((N, H₁) × (H₁, H₂) …) and N FM dots of D remain: on the
/// serving bundle (D = 16, 8 fields, DNN 128-64) the first layer's (200 × 130 × 128) product, the embedding lookups of
/// 200 rows and the row assembly leave the request path.
/// </summary>
internal sealed class DeepFmSplitScorer : SplitCtrScorer
{
    private readonly DeepFm _model;
    private readonly Linear[] _layers;        // the DNN's linear layers
    private readonly bool[] _activated;       // activation after layer i
    private readonly float[]? _outWeight;     // (H_L) dnn_linear
    private readonly int _d, _h1, _inWidth, _fieldCount;
    private readonly Activation _activation;
    private readonly float _leakySlope;

    public DeepFmSplitScorer(DeepFm model, Mlp? deep, Linear? output)
    {
        _model = model;
        _d = model.EmbeddingDim;
        _fieldCount = model.FieldCount;
        _inWidth = model.DeepInputWidth;
        _layers = deep is null ? [] : deep.Layers.ToArray();
        _activated = new bool[_layers.Length];
        for (int i = 0; i < _layers.Length; i++) _activated[i] = i < _layers.Length - 1 || deep!.Options.ActivateLast;
        _activation = deep?.Options.Activation ?? Activation.None;
        _leakySlope = deep?.Options.LeakySlope ?? 0f;
        _h1 = _layers.Length == 0 ? 0 : _layers[0].OutFeatures;
        _outWeight = output?.Weight.Value.Span.ToArray();
        if (model.Linear.Fields.Count != model.FieldCount) throw new InvalidOperationException("DeepFM's linear part and embedder disagree on the embedded fields.");
    }

    public override int AdSize => 2 + _d + _h1;

    public override int UserSize => 2 + _d + _h1;

    public override int WorkspaceSize(int rows)
    {
        int hidden = 0;
        foreach (var l in _layers) hidden += l.OutFeatures;
        return rows * hidden + _d;
    }

    public override void EncodeAds(ModelInput input, Span<float> caches) => EncodeSide(input, adSide: true, input.Count, caches);

    public override void EncodeUser(ModelInput input, Span<float> user) => EncodeSide(input, adSide: false, 1, user);

    // Fills `rows` rows of [lin, q, s (D), h (H1)] from the slots of one side; the request side adds the biases.
    private void EncodeSide(ModelInput input, bool adSide, int rows, Span<float> dst)
    {
        int stride = AdSize;
        if (input.Count < rows) throw new ArgumentException($"input has {input.Count} rows, {rows} needed.", nameof(input));
        if (dst.Length < rows * stride) throw new ArgumentException($"destination holds {dst.Length} floats, {rows * stride} needed.", nameof(dst));
        dst[..(rows * stride)].Clear();
        // (rows, F·D + n): this side's columns, zeros elsewhere; pooled, as the request side runs once per request.
        var rented = _h1 > 0 ? System.Buffers.ArrayPool<float>.Shared.Rent(rows * _inWidth) : [];
        var x = rented.AsSpan(0, _h1 > 0 ? rows * _inWidth : 0);
        x.Clear();
        try { EncodeSide(input, adSide, rows, dst, x); }
        finally { if (_h1 > 0) System.Buffers.ArrayPool<float>.Shared.Return(rented); }
    }

    private void EncodeSide(ModelInput input, bool adSide, int rows, Span<float> dst, Span<float> x)
    {
        int stride = AdSize;
        bool Mine(FeatureSlot s) => (s.Feature.Side == FeatureSide.Item) == adSide;
        using var noGrad = Autograd.NoGrad();
        var linearWeights = _model.Linear.Weights!;
        for (int f = 0; f < _fieldCount; f++)
        {
            var slot = _model.Fields[f];
            if (!Mine(slot)) continue;
            var e = _model.Embedder.Embed(input, slot).Span;                      // (B, D)
            var w = linearWeights.Embed(input, _model.Linear.Fields[f]).Span;     // (B, 1)
            for (int r = 0; r < rows; r++)
            {
                var row = dst.Slice(r * stride, stride);
                var er = e.Slice(r * _d, _d);
                row[0] += w[r];
                row[1] += System.Numerics.Tensors.TensorPrimitives.SumOfSquares(er);
                System.Numerics.Tensors.TensorPrimitives.Add(row.Slice(2, _d), er, row.Slice(2, _d));
                if (_h1 > 0) er.CopyTo(x.Slice(r * _inWidth + f * _d, _d));
            }
        }
        var dense = input.Dense.Span;
        int width = input.Layout.DenseWidth;
        var denseWeight = _model.Linear.DenseWeight is { } dw ? dw.Value.Span : default;
        for (int j = 0; j < _model.DenseFields.Count; j++)
        {
            var slot = _model.DenseFields[j];
            if (!Mine(slot)) continue;
            for (int r = 0; r < rows; r++)
            {
                float v = dense[r * width + slot.Offset];
                dst[r * stride] += v * denseWeight[j];
                if (_h1 > 0) x[r * _inWidth + _fieldCount * _d + j] = v;
            }
        }
        if (!adSide) dst[0] += _model.Bias.Value.Span[0];
        if (_h1 == 0) return;
        var layer = _layers[0];
        var h = dst[(2 + _d)..];
        if (!adSide) layer.Bias?.Value.Span.CopyTo(h);
        // h = x · W₁ᵀ (+ b₁ on the request side), written straight into each row's h block (ldc = stride).
        Gemm.Sgemm(false, true, rows, _h1, _inWidth, 1f, x, _inWidth, layer.Weight.Value.Span, _inWidth, adSide ? 0f : 1f, h, stride);
    }

    public override void Score(ReadOnlySpan<float> user, ReadOnlySpan<float[]> ads, Span<float> logits, Span<float> workspace)
    {
        int n = ads.Length, stride = AdSize;
        if (user.Length < stride) throw new ArgumentException($"user part holds {user.Length} floats, {stride} needed.", nameof(user));
        if (logits.Length < n) throw new ArgumentException($"logits holds {logits.Length} values for {n} ads.", nameof(logits));
        if (workspace.Length < WorkspaceSize(n)) throw new ArgumentException($"workspace holds {workspace.Length} floats, {WorkspaceSize(n)} needed.", nameof(workspace));
        var sum = workspace[..(_d)];
        var free = workspace[_d..];
        var su = user.Slice(2, _d);
        for (int i = 0; i < n; i++)
        {
            var a = ads[i];
            if (a.Length != stride) throw new ArgumentException($"ad cache {i} holds {a.Length} floats, {stride} expected.", nameof(ads));
            float y = user[0] + a[0];
            if (_model.UseFm)
            {
                System.Numerics.Tensors.TensorPrimitives.Add(su, a.AsSpan(2, _d), sum);
                y += 0.5f * (System.Numerics.Tensors.TensorPrimitives.SumOfSquares(sum) - user[1] - a[1]);
            }
            logits[i] = y;
        }
        if (_h1 == 0) return;
        // Layer 1 from the two halves, then the remaining layers as (N, H_{l-1}) × (H_{l-1}, H_l) products.
        var z = free[..(n * _h1)];
        free = free[(n * _h1)..];
        var hu = user.Slice(2 + _d, _h1);
        for (int i = 0; i < n; i++) System.Numerics.Tensors.TensorPrimitives.Add(hu, ads[i].AsSpan(2 + _d, _h1), z.Slice(i * _h1, _h1));
        if (_activated[0]) Activate(z);
        int width = _h1;
        for (int l = 1; l < _layers.Length; l++)
        {
            var layer = _layers[l];
            int next = layer.OutFeatures;
            var y = free[..(n * next)];
            free = free[(n * next)..];
            if (layer.Bias is { } b) for (int i = 0; i < n; i++) b.Value.Span.CopyTo(y.Slice(i * next, next));
            Gemm.Sgemm(false, true, n, next, width, 1f, z, width, layer.Weight.Value.Span, width, layer.Bias is null ? 0f : 1f, y, next);
            if (_activated[l]) Activate(y);
            z = y;
            width = next;
        }
        var wOut = _outWeight!;
        for (int i = 0; i < n; i++) logits[i] += System.Numerics.Tensors.TensorPrimitives.Dot(z.Slice(i * width, width), wOut);
    }

    // The DNN's activation with the same kernels as Ops (parameter-free kinds only; see CreateSplitScorer).
    private void Activate(Span<float> v)
    {
        switch (_activation)
        {
            case Activation.Relu: Activations.ReluForward(v, v); break;
            case Activation.LeakyRelu: Activations.LeakyReluForward(v, _leakySlope, v); break;
            case Activation.Tanh: Activations.TanhForward(v, v); break;
            case Activation.Sigmoid: Activations.SigmoidForward(v, v); break;
            case Activation.None: break;
            default: throw new InvalidOperationException($"activation {_activation} is not supported by the split scorer.");
        }
    }
}
