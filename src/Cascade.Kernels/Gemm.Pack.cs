using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using System.Runtime.Intrinsics;

namespace Cascade.Kernels;

public static partial class Gemm
{
    /// <summary>
    /// Packs op(B)[pc..pc+kc, jc..jc+nc] into NR-wide slivers: sliver s holds kc rows of nr contiguous floats
    /// (columns jc + s·nr ..), zero-padded on the right edge, so the micro-kernel reads B strictly sequentially.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void PackB(in GemmJob j, int pc, int kc, int jc, int nc, int nr, float* dst)
    {
        for (int js = 0; js < nc; js += nr)
        {
            int cols = Math.Min(nr, nc - js);
            float* d = dst + (long)js * kc;
            if (!j.TransB)
            {
                // Row-major k×n: each packed row is a straight copy of nr floats.
                float* src = j.B + (long)pc * j.Ldb + jc + js;
                if (cols == 32 && nr == 32 && Vector512.IsHardwareAccelerated)
                {
                    // Full 32-wide sliver (every sliver but the right edge): two 512-bit moves per row. Through
                    // CopyBlockUnaligned each 128-byte row was a Memmove call, ~2 % of a batch-256 DeepFM step.
                    for (int p = 0; p < kc; p++, src += j.Ldb, d += 32)
                    {
                        Vector512.Store(Vector512.Load(src), d);
                        Vector512.Store(Vector512.Load(src + 16), d + 16);
                    }
                    continue;
                }
                if (cols == 16 && nr == 16 && Vector256.IsHardwareAccelerated)
                {
                    for (int p = 0; p < kc; p++, src += j.Ldb, d += 16)
                    {
                        Vector256.Store(Vector256.Load(src), d);
                        Vector256.Store(Vector256.Load(src + 8), d + 8);
                    }
                    continue;
                }
                for (int p = 0; p < kc; p++, src += j.Ldb, d += nr)
                {
                    Unsafe.CopyBlockUnaligned(d, src, (uint)(cols * sizeof(float)));
                    for (int x = cols; x < nr; x++) d[x] = 0f;
                }
            }
            else
            {
                // Stored n×k: element (p, x) = B[(jc+js+x)·ldb + pc + p]; a transpose, done 8×8 at a time.
                float* src = j.B + (long)(jc + js) * j.Ldb + pc;
                int x = 0, p8 = Avx.IsSupported ? kc & ~7 : 0;
                for (; x + 8 <= cols && p8 > 0; x += 8)
                {
                    for (int p = 0; p < p8; p += 8) Transpose8x8(src + (long)x * j.Ldb + p, j.Ldb, d + (long)p * nr + x, nr, 1f);
                    for (int p = p8; p < kc; p++)
                        for (int xx = x; xx < x + 8; xx++) d[(long)p * nr + xx] = src[(long)xx * j.Ldb + p];
                }
                for (; x < cols; x++)
                {
                    float* s = src + (long)x * j.Ldb;
                    for (int p = 0; p < kc; p++) d[(long)p * nr + x] = s[p];
                }
                for (x = cols; x < nr; x++)
                    for (int p = 0; p < kc; p++) d[(long)p * nr + x] = 0f;
            }
        }
    }

    /// <summary>
    /// Packs alpha · op(A)[ic..ic+rows, pc..pc+kc] into one MR-row sliver: kc columns of mr contiguous floats,
    /// zero-padded below the bottom edge. Folding alpha in here costs nothing extra and keeps it out of the kernel.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void PackA(in GemmJob j, int ic, int rows, int pc, int kc, int mr, float* dst)
    {
        float alpha = j.Alpha;
        if (j.TransA)
        {
            // Stored k×m: each packed column is rows contiguous floats.
            float* src = j.A + (long)pc * j.Lda + ic;
            if (mr == 8 && rows == 8 && Vector256.IsHardwareAccelerated)
            {
                var k8 = Vector256.Create(alpha);
                for (int p = 0; p < kc; p++, src += j.Lda) Vector256.Store(Vector256.Load(src) * k8, dst + (long)p * 8);
                return;
            }
            for (int p = 0; p < kc; p++, src += j.Lda)
            {
                float* d = dst + (long)p * mr;
                for (int r = 0; r < rows; r++) d[r] = alpha * src[r];
                for (int r = rows; r < mr; r++) d[r] = 0f;
            }
            return;
        }
        float* a = j.A + (long)ic * j.Lda + pc;
        int p0 = 0;
        if (mr == 8 && rows == 8 && Avx.IsSupported)
        {
            // The common forward case (row-major A, 8-row sliver): 8×8 register transposes, ~0.05 ns per float.
            for (; p0 + 8 <= kc; p0 += 8) Transpose8x8(a + p0, j.Lda, dst + (long)p0 * 8, 8, alpha);
        }
        for (int p = p0; p < kc; p++)
        {
            float* d = dst + (long)p * mr;
            for (int r = 0; r < rows; r++) d[r] = alpha * a[(long)r * j.Lda + p];
            for (int r = rows; r < mr; r++) d[r] = 0f;
        }
    }

    /// <summary>dst[p·ldd + r] = scale · src[r·lds + p] for r, p &lt; 8 (AVX unpack/shuffle/permute network).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Transpose8x8(float* src, int lds, float* dst, int ldd, float scale)
    {
        var r0 = Avx.LoadVector256(src);
        var r1 = Avx.LoadVector256(src + lds);
        var r2 = Avx.LoadVector256(src + 2L * lds);
        var r3 = Avx.LoadVector256(src + 3L * lds);
        var r4 = Avx.LoadVector256(src + 4L * lds);
        var r5 = Avx.LoadVector256(src + 5L * lds);
        var r6 = Avx.LoadVector256(src + 6L * lds);
        var r7 = Avx.LoadVector256(src + 7L * lds);
        // Interleave pairs of rows: t0 = r0[0] r1[0] r0[1] r1[1] | r0[4] r1[4] r0[5] r1[5].
        var t0 = Avx.UnpackLow(r0, r1); var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3); var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5); var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7); var t7 = Avx.UnpackHigh(r6, r7);
        // Gather 4-row columns: s0 = column 0 (rows 0–3) | column 4 (rows 0–3).
        var s0 = Avx.Shuffle(t0, t2, 0x44); var s1 = Avx.Shuffle(t0, t2, 0xEE);
        var s2 = Avx.Shuffle(t1, t3, 0x44); var s3 = Avx.Shuffle(t1, t3, 0xEE);
        var s4 = Avx.Shuffle(t4, t6, 0x44); var s5 = Avx.Shuffle(t4, t6, 0xEE);
        var s6 = Avx.Shuffle(t5, t7, 0x44); var s7 = Avx.Shuffle(t5, t7, 0xEE);
        var k = Vector256.Create(scale);
        Avx.Store(dst, Avx.Permute2x128(s0, s4, 0x20) * k);
        Avx.Store(dst + ldd, Avx.Permute2x128(s1, s5, 0x20) * k);
        Avx.Store(dst + 2L * ldd, Avx.Permute2x128(s2, s6, 0x20) * k);
        Avx.Store(dst + 3L * ldd, Avx.Permute2x128(s3, s7, 0x20) * k);
        Avx.Store(dst + 4L * ldd, Avx.Permute2x128(s0, s4, 0x31) * k);
        Avx.Store(dst + 5L * ldd, Avx.Permute2x128(s1, s5, 0x31) * k);
        Avx.Store(dst + 6L * ldd, Avx.Permute2x128(s2, s6, 0x31) * k);
        Avx.Store(dst + 7L * ldd, Avx.Permute2x128(s3, s7, 0x31) * k);
    }
}
