using Cascade.Kernels;
using Cascade.Models.TwoTower;
using Cascade.Tensors;

namespace Cascade.Models.Tests.TwoTower;

/// <summary>
/// HIT and DSSM run their towers side by side (<see cref="ParallelBranches"/>): scores, the generation loss and every
/// parameter gradient must equal, bit for bit, the towers composed one after the other as before, at 1 and 2 threads.
/// </summary>
public class ParallelTowersTests
{
    private delegate (Tensor Scores, Tensor? Aux) Composition(CtrModel model, ModelInput input);

    // Default widths (towers 300, 300, …): at 128 rows every tower layer is above the GEMM's threading threshold.
    private static CtrModel Create(string name) => TwoTowerKit.Create(name, [], dim: 8, initStd: 0.1f);

    private static (float[] Scores, float Aux, float[][] Grads) Step(CtrModel model, ModelInput input, Composition compose)
    {
        foreach (var p in model.Parameters()) p.ZeroGrad();
        var (scores, aux) = compose(model, input);
        // Σ_i c_i s_i with fixed coefficients, so every row's gradient differs.
        var coefficients = Tensor.Uniform([input.Count], seed: 9, -1f, 1f);
        var loss = Ops.Sum(Ops.Mul(scores, coefficients));
        if (aux is not null) loss = Ops.Add(loss, aux);
        loss.Backward();
        return (scores.ToArray(), aux?.Item() ?? 0f, model.Parameters().Select(p => p.Grad?.ToArray() ?? []).ToArray());
    }

    private static (Tensor, Tensor?) ModelForward(CtrModel model, ModelInput input) => (model.Forward(input), model.AuxiliaryLoss);

    /// <summary>The composition before the towers ran in parallel: user tower, then ad tower, then score and loss.</summary>
    private static (Tensor, Tensor?) InTurn(CtrModel model, ModelInput input)
    {
        switch (model)
        {
            case Hit hit:
                var user = hit.UserTower.Forward(input);
                var ad = hit.AdTower.Forward(input);
                return (hit.Score(user.Heads, ad.Heads), hit.GenerationLoss(user, ad, input));
            case Dssm dssm:
                return (dssm.Score(dssm.EncodeUser(input), dssm.EncodeAd(input)), null);
            default:
                throw new ArgumentException(model.Name);
        }
    }

    [Theory]
    [InlineData("hit")]
    [InlineData("dssm")]
    public void TrainingStepIsBitIdenticalToTowersInTurn(string name)
    {
        var model = Create(name);
        model.Train();
        var input = TwoTowerKit.Batch(128);
        var expected = Step(model, input, InTurn);
        if (name == "hit") Assert.True(expected.Aux > 0f, "HIT's generation loss should be on in a training forward");
        int before = Gemm.MaxThreads;
        try
        {
            foreach (int threads in new[] { 2, 1, 2 })
            {
                Gemm.MaxThreads = threads;
                var got = Step(model, input, ModelForward);
                Assert.Equal(expected.Scores, got.Scores);
                Assert.Equal(expected.Aux, got.Aux);
                Assert.Equal(expected.Grads.Length, got.Grads.Length);
                for (int p = 0; p < expected.Grads.Length; p++) Assert.Equal(expected.Grads[p], got.Grads[p]);
            }
        }
        finally { Gemm.MaxThreads = before; }
    }

    [Theory]
    [InlineData("hit")]
    [InlineData("dssm")]
    public void EvalForwardWithoutGradientsMatches(string name)
    {
        var model = Create(name);
        var input = TwoTowerKit.Batch(128, skip: 1);
        model.Eval();
        using (Autograd.NoGrad())
        {
            var expected = InTurn(model, input).Item1.ToArray();
            for (int rep = 0; rep < 3; rep++)
            {
                var got = model.Forward(input);
                Assert.False(got.RequiresGrad);
                Assert.Equal(expected, got.ToArray());
            }
        }
    }
}
