using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace Cascade.Kernels;

public static partial class Gemm
{
    /// <summary>Up to this many rows of C skip packing: serving scores one user (m = 1) or a handful against a
    /// layer, where packing all of B (k·n floats) would cost as much as the product itself.</summary>
    private const int SkinnyRows = 4;

    /// <summary>
    /// C rows one at a time without packing: the row of op(A) is copied once (alpha folded in) into the per-thread
    /// A buffer, then each C row is k axpys over B's rows (B stored k×n) or n dot products with B's rows (B stored
    /// n×k) — both stream B contiguously, once per row of C.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void RunSkinny(in GemmJob j)
    {
        float* aRow = GemmBuffers.SliverA(j.K);
        var arow = new ReadOnlySpan<float>(aRow, j.K);
        for (int i = 0; i < j.M; i++)
        {
            for (int p = 0; p < j.K; p++) aRow[p] = j.Alpha * (j.TransA ? j.A[(long)p * j.Lda + i] : j.A[(long)i * j.Lda + p]);
            var crow = new Span<float>(j.C + (long)i * j.Ldc, j.N);
            if (!j.TransB)
            {
                if (j.Beta == 0f) crow.Clear();
                else if (j.Beta != 1f) TensorPrimitives.Multiply(crow, j.Beta, crow);
                for (int p = 0; p < j.K; p++)
                    TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(j.B + (long)p * j.Ldb, j.N), aRow[p], crow, crow);
            }
            else
            {
                for (int x = 0; x < j.N; x++)
                {
                    float dot = TensorPrimitives.Dot(arow, new ReadOnlySpan<float>(j.B + (long)x * j.Ldb, j.K));
                    crow[x] = j.Beta == 0f ? dot : j.Beta == 1f ? crow[x] + dot : j.Beta * crow[x] + dot;
                }
            }
        }
    }
}
