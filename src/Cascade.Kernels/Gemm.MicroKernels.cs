using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Cascade.Kernels;

/// <summary>
/// A register-blocked GEMM micro-kernel: C[0..MR, 0..NR] = beta · C + Σ_p a[p·MR + r] · b[p·NR + x] over kc steps,
/// reading A and B from packed slivers. The blocking sizes live with the kernel because they follow its tile.
/// </summary>
internal unsafe interface IGemmMicroKernel
{
    /// <summary>Rows of the register tile.</summary>
    static abstract int MR { get; }
    /// <summary>Columns of the register tile.</summary>
    static abstract int NR { get; }
    /// <summary>Deepest K slice packed at once.</summary>
    static abstract int KC { get; }
    /// <summary>Widest N panel packed at once.</summary>
    static abstract int NC { get; }
    /// <summary>Runs the tile; beta = 0 writes C without reading it.</summary>
    static abstract void Run(int kc, float* a, float* b, float* c, int ldc, float beta);
}

/// <summary>
/// 8×32 tile with Vector512: 16 zmm accumulators + 2 zmm of B + 1 broadcast of A = 19 of the 32 registers, so
/// nothing spills. Per K step it issues 16 FMAs against 2 vector loads and 8 broadcasts — the 1.6 FMA/load ratio
/// keeps Zen 4's one 512-bit FMA per cycle (two 256-bit pipes) fed from its two load ports, and 16 independent
/// chains hide the 4-cycle FMA latency four times over. Blocking for this CPU (32 KB L1d, 1 MB L2 per core):
/// KC = 384 → the A sliver is 8·384·4 = 12 KB and stays in L1 while B streams past; NC = 384 → the B panel is
/// 384·384·4 = 576 KB, about half of L2, leaving room for C tiles and the next A sliver. There is no MC block:
/// A is packed one MR-row sliver at a time right before it sweeps the panel (so "MC" = MR = 8), which keeps the
/// packed A in L1 and costs nothing extra because each sliver is packed exactly once per (KC, NC) block either way.
/// </summary>
internal unsafe struct Kernel8x32Avx512 : IGemmMicroKernel
{
    public static int MR => 8;
    public static int NR => 32;
    public static int KC => 384;
    public static int NC => 384;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, float* b, float* c, int ldc, float beta)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        for (int p = 0; p < kc; p++, a += 8, b += 32)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            var x = Vector512.Create(a[0]); c00 = Vector512.FusedMultiplyAdd(x, b0, c00); c01 = Vector512.FusedMultiplyAdd(x, b1, c01);
            x = Vector512.Create(a[1]); c10 = Vector512.FusedMultiplyAdd(x, b0, c10); c11 = Vector512.FusedMultiplyAdd(x, b1, c11);
            x = Vector512.Create(a[2]); c20 = Vector512.FusedMultiplyAdd(x, b0, c20); c21 = Vector512.FusedMultiplyAdd(x, b1, c21);
            x = Vector512.Create(a[3]); c30 = Vector512.FusedMultiplyAdd(x, b0, c30); c31 = Vector512.FusedMultiplyAdd(x, b1, c31);
            x = Vector512.Create(a[4]); c40 = Vector512.FusedMultiplyAdd(x, b0, c40); c41 = Vector512.FusedMultiplyAdd(x, b1, c41);
            x = Vector512.Create(a[5]); c50 = Vector512.FusedMultiplyAdd(x, b0, c50); c51 = Vector512.FusedMultiplyAdd(x, b1, c51);
            x = Vector512.Create(a[6]); c60 = Vector512.FusedMultiplyAdd(x, b0, c60); c61 = Vector512.FusedMultiplyAdd(x, b1, c61);
            x = Vector512.Create(a[7]); c70 = Vector512.FusedMultiplyAdd(x, b0, c70); c71 = Vector512.FusedMultiplyAdd(x, b1, c71);
        }
        var vb = Vector512.Create(beta);
        int mode = beta == 0f ? 0 : beta == 1f ? 1 : 2;
        Update(c, c00, c01, mode, vb); c += ldc;
        Update(c, c10, c11, mode, vb); c += ldc;
        Update(c, c20, c21, mode, vb); c += ldc;
        Update(c, c30, c31, mode, vb); c += ldc;
        Update(c, c40, c41, mode, vb); c += ldc;
        Update(c, c50, c51, mode, vb); c += ldc;
        Update(c, c60, c61, mode, vb); c += ldc;
        Update(c, c70, c71, mode, vb);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update(float* c, Vector512<float> v0, Vector512<float> v1, int mode, Vector512<float> beta)
    {
        if (mode == 1) { v0 += Vector512.Load(c); v1 += Vector512.Load(c + 16); }
        else if (mode == 2) { v0 = Vector512.FusedMultiplyAdd(Vector512.Load(c), beta, v0); v1 = Vector512.FusedMultiplyAdd(Vector512.Load(c + 16), beta, v1); }
        Vector512.Store(v0, c);
        Vector512.Store(v1, c + 16);
    }
}

/// <summary>
/// 6×16 tile with Vector256 (the classic AVX2 shape): 12 ymm accumulators + 2 of B + 1 broadcast = 15 of the 16
/// registers. KC = 256 → A sliver 6 KB in L1; NC = 384 → B panel 384 KB in L2.
/// </summary>
internal unsafe struct Kernel6x16Avx2 : IGemmMicroKernel
{
    public static int MR => 6;
    public static int NR => 16;
    public static int KC => 256;
    public static int NC => 384;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, float* b, float* c, int ldc, float beta)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++, a += 6, b += 16)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            var x = Vector256.Create(a[0]); c00 = Vector256.FusedMultiplyAdd(x, b0, c00); c01 = Vector256.FusedMultiplyAdd(x, b1, c01);
            x = Vector256.Create(a[1]); c10 = Vector256.FusedMultiplyAdd(x, b0, c10); c11 = Vector256.FusedMultiplyAdd(x, b1, c11);
            x = Vector256.Create(a[2]); c20 = Vector256.FusedMultiplyAdd(x, b0, c20); c21 = Vector256.FusedMultiplyAdd(x, b1, c21);
            x = Vector256.Create(a[3]); c30 = Vector256.FusedMultiplyAdd(x, b0, c30); c31 = Vector256.FusedMultiplyAdd(x, b1, c31);
            x = Vector256.Create(a[4]); c40 = Vector256.FusedMultiplyAdd(x, b0, c40); c41 = Vector256.FusedMultiplyAdd(x, b1, c41);
            x = Vector256.Create(a[5]); c50 = Vector256.FusedMultiplyAdd(x, b0, c50); c51 = Vector256.FusedMultiplyAdd(x, b1, c51);
        }
        var vb = Vector256.Create(beta);
        int mode = beta == 0f ? 0 : beta == 1f ? 1 : 2;
        Update(c, c00, c01, mode, vb); c += ldc;
        Update(c, c10, c11, mode, vb); c += ldc;
        Update(c, c20, c21, mode, vb); c += ldc;
        Update(c, c30, c31, mode, vb); c += ldc;
        Update(c, c40, c41, mode, vb); c += ldc;
        Update(c, c50, c51, mode, vb);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update(float* c, Vector256<float> v0, Vector256<float> v1, int mode, Vector256<float> beta)
    {
        if (mode == 1) { v0 += Vector256.Load(c); v1 += Vector256.Load(c + 8); }
        else if (mode == 2) { v0 = Vector256.FusedMultiplyAdd(Vector256.Load(c), beta, v0); v1 = Vector256.FusedMultiplyAdd(Vector256.Load(c + 8), beta, v1); }
        Vector256.Store(v0, c);
        Vector256.Store(v1, c + 8);
    }
}

/// <summary>
/// 4×8 scalar tile for machines (or runs) without hardware vectors: 32 accumulators in a stack block; small
/// KC/NC because nothing here is fast enough for cache misses to dominate.
/// </summary>
internal unsafe struct Kernel4x8Scalar : IGemmMicroKernel
{
    public static int MR => 4;
    public static int NR => 8;
    public static int KC => 256;
    public static int NC => 256;

    public static void Run(int kc, float* a, float* b, float* c, int ldc, float beta)
    {
        float* acc = stackalloc float[32];
        for (int i = 0; i < 32; i++) acc[i] = 0f;
        for (int p = 0; p < kc; p++, a += 4, b += 8)
        {
            for (int r = 0; r < 4; r++)
            {
                float av = a[r];
                float* row = acc + r * 8;
                for (int x = 0; x < 8; x++) row[x] += av * b[x];
            }
        }
        for (int r = 0; r < 4; r++, c += ldc)
        {
            float* row = acc + r * 8;
            for (int x = 0; x < 8; x++) c[x] = beta == 0f ? row[x] : beta == 1f ? c[x] + row[x] : beta * c[x] + row[x];
        }
    }
}
