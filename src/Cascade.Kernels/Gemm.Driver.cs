using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Cascade.Kernels;

public static partial class Gemm
{
    /// <summary>
    /// Picks the skinny path or the micro-kernel for this process's <see cref="SimdTier"/> (the tier branches fold
    /// away at JIT time). <paramref name="skinny"/> is decided once for the whole product, not per thread chunk, so
    /// every thread count sums each element of C in the same order and gives bit-identical results.
    /// </summary>
    private static void RunSerial(in GemmJob job, bool skinny)
    {
        if (skinny) RunSkinny(job);
        else if (Vector512.IsHardwareAccelerated) RunBlocked<Kernel8x32Avx512>(job);
        else if (Simd.Use256) RunBlocked<Kernel6x16Avx2>(job);
        else RunBlocked<Kernel4x8Scalar>(job);
    }

    /// <summary>
    /// Splits C into one contiguous chunk per thread along the dimension with more micro-tiles (M for the tall
    /// shapes of training, N for wide ones) and runs the serial blocked driver on each chunk through the persistent
    /// worker pool (Gemm.Pool.cs). Every thread packs its own operands into its own buffers, so there is no barrier
    /// and no shared mutable state. When another thread already owns the pool the product runs serially here.
    /// </summary>
    private static void RunParallel(in GemmJob job, int threads, bool skinny)
    {
        int mr = Vector512.IsHardwareAccelerated ? Kernel8x32Avx512.MR : Simd.Use256 ? Kernel6x16Avx2.MR : Kernel4x8Scalar.MR;
        int nr = Vector512.IsHardwareAccelerated ? Kernel8x32Avx512.NR : Simd.Use256 ? Kernel6x16Avx2.NR : Kernel4x8Scalar.NR;
        int mTiles = (job.M + mr - 1) / mr, nTiles = (job.N + nr - 1) / nr;
        bool splitM = mTiles >= nTiles;
        var split = new Split(splitM, splitM ? mTiles : nTiles, splitM ? mr : nr, splitM ? job.M : job.N);
        threads = Math.Min(Math.Min(threads, split.Tiles), Pool.WorkerCount + 1);
        if (threads <= 1 || !Pool.TryRun(job, threads, split, skinny)) RunSerial(job, skinny);
    }

    /// <summary>
    /// The blocked loop nest (BLIS order with the roles of A and B swapped, because our vectors run along N):
    /// for each NC-wide column panel and KC-deep slice, pack B once (KC×NC, sized for L2), then for each MR-row
    /// sliver of A pack it (MR×KC, stays in L1) and sweep it across every NR-wide sliver of the B panel.
    /// The first KC slice applies beta to C; later slices accumulate (beta = 1).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void RunBlocked<TKernel>(in GemmJob j) where TKernel : struct, IGemmMicroKernel
    {
        int mr = TKernel.MR, nr = TKernel.NR;
        // Balance the K slices: k = 320 with KC = 384 is one slice of 320 rather than 384 + nothing; k = 1024 is
        // three slices of 344 rather than 384 + 384 + 256.
        int kSlices = (j.K + TKernel.KC - 1) / TKernel.KC;
        int kcStep = (j.K + kSlices - 1) / kSlices;
        int nSlices = (j.N + TKernel.NC - 1) / TKernel.NC;
        int ncStep = ((j.N + nSlices - 1) / nSlices + nr - 1) / nr * nr;
        float* bPack = GemmBuffers.PanelB(kcStep * ncStep);
        float* aPack = GemmBuffers.SliverA(mr * kcStep);
        float* tile = stackalloc float[mr * nr + 16];
        float* edge = (float*)(((nint)tile + 63) & ~(nint)63);

        for (int jc = 0; jc < j.N; jc += ncStep)
        {
            int nc = Math.Min(ncStep, j.N - jc);
            for (int pc = 0; pc < j.K; pc += kcStep)
            {
                int kc = Math.Min(kcStep, j.K - pc);
                float beta = pc == 0 ? j.Beta : 1f;
                PackB(j, pc, kc, jc, nc, nr, bPack);
                for (int ic = 0; ic < j.M; ic += mr)
                {
                    int mTile = Math.Min(mr, j.M - ic);
                    PackA(j, ic, mTile, pc, kc, mr, aPack);
                    float* cRow = j.C + (long)ic * j.Ldc + jc;
                    for (int jr = 0; jr < nc; jr += nr)
                    {
                        int nTile = Math.Min(nr, nc - jr);
                        float* bSliver = bPack + (long)jr * kc;
                        if (mTile == mr && nTile == nr)
                        {
                            TKernel.Run(kc, aPack, bSliver, cRow + jr, j.Ldc, beta);
                        }
                        else
                        {
                            // Edge tile: the packed operands are zero-padded, so run the full kernel into a
                            // scratch tile and merge only the valid mTile×nTile corner into C.
                            TKernel.Run(kc, aPack, bSliver, edge, nr, 0f);
                            MergeEdge(edge, nr, cRow + jr, j.Ldc, mTile, nTile, beta);
                        }
                    }
                }
            }
        }
    }

    private static unsafe void MergeEdge(float* tile, int ldt, float* c, int ldc, int rows, int cols, float beta)
    {
        for (int r = 0; r < rows; r++)
        {
            float* t = tile + r * ldt;
            float* cr = c + (long)r * ldc;
            if (beta == 0f) for (int x = 0; x < cols; x++) cr[x] = t[x];
            else if (beta == 1f) for (int x = 0; x < cols; x++) cr[x] += t[x];
            else for (int x = 0; x < cols; x++) cr[x] = beta * cr[x] + t[x];
        }
    }
}
