namespace Cascade.Benchmarks.Kernels;

/// <summary>A GEMM case: C(m×n) = op(A)(m×k) · op(B)(k×n) with the given transpositions.</summary>
public sealed record GemmShape(string Name, bool TransA, bool TransB, int M, int N, int K)
{
    /// <summary>Floating-point operations of one call (one multiply + one add per term).</summary>
    public double Flops => 2.0 * M * N * K;

    /// <summary>Stable case label used in tables and JSON.</summary>
    public string Label => $"sgemm {Name} {M}x{N}x{K}{(TransA ? " Aᵀ" : "")}{(TransB ? " Bᵀ" : "")}";

    /// <summary>
    /// The benchmark set: a 2048-row batch through a 320→320 linear layer (forward A·B, backward dX = dY·Wᵀ and
    /// dW = Xᵀ·dY), a 256×300×300 tower layer, and the 1024³ classic.
    /// </summary>
    public static IReadOnlyList<GemmShape> Standard { get; } =
    [
        new("fwd", false, false, 2048, 320, 320),
        new("bwd-dx", false, true, 2048, 320, 320),
        new("bwd-dw", true, false, 320, 320, 2048),
        new("tower", false, false, 256, 300, 300),
        new("square", false, false, 1024, 1024, 1024),
    ];
}
