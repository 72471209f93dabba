using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Cascade.Kernels.Vectorized;

/// <summary>
/// The shared loops behind the element-wise kernels: a Vector512 main loop when 512-bit vectors are in hardware,
/// else a Vector256 loop; then one 256-bit step if 8+ elements remain; then a scalar tail. The tail is scalar (not
/// TensorPrimitives' overlapping last vector) because outputs are often updated in place (dx += …, w −= …),
/// where re-processing overlapping elements would apply the update twice. Lengths are checked here so that no
/// path can read or write past a span.
/// </summary>
internal static class ElementwiseDriver
{
    /// <summary>y[i] = op(x[i]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Map<TOp>(TOp op, ReadOnlySpan<float> x, Span<float> y) where TOp : struct, IUnaryOp
    {
        int n = x.Length;
        Need(y.Length, n, nameof(y));
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        nuint i = 0, len = (nuint)n;
        if (Vector512.IsHardwareAccelerated)
            for (; i + 16 <= len; i += 16) op.Invoke(Vector512.LoadUnsafe(ref xr, i)).StoreUnsafe(ref yr, i);
        if (Vector256.IsHardwareAccelerated)
            for (; i + 8 <= len; i += 8) op.Invoke(Vector256.LoadUnsafe(ref xr, i)).StoreUnsafe(ref yr, i);
        for (; i < len; i++) Unsafe.Add(ref yr, i) = op.Invoke(Unsafe.Add(ref xr, i));
    }

    /// <summary>z[i] = op(x[i], y[i]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Map<TOp>(TOp op, ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> z) where TOp : struct, IBinaryOp
    {
        int n = x.Length;
        Need(y.Length, n, nameof(y)); Need(z.Length, n, nameof(z));
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        ref float zr = ref MemoryMarshal.GetReference(z);
        nuint i = 0, len = (nuint)n;
        if (Vector512.IsHardwareAccelerated)
            for (; i + 16 <= len; i += 16) op.Invoke(Vector512.LoadUnsafe(ref xr, i), Vector512.LoadUnsafe(ref yr, i)).StoreUnsafe(ref zr, i);
        if (Vector256.IsHardwareAccelerated)
            for (; i + 8 <= len; i += 8) op.Invoke(Vector256.LoadUnsafe(ref xr, i), Vector256.LoadUnsafe(ref yr, i)).StoreUnsafe(ref zr, i);
        for (; i < len; i++) Unsafe.Add(ref zr, i) = op.Invoke(Unsafe.Add(ref xr, i), Unsafe.Add(ref yr, i));
    }

    /// <summary>w[i] = op(x[i], y[i], z[i]); w may be the same span as z (accumulation).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Map<TOp>(TOp op, ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> z, Span<float> w)
        where TOp : struct, ITernaryOp
    {
        int n = x.Length;
        Need(y.Length, n, nameof(y)); Need(z.Length, n, nameof(z)); Need(w.Length, n, nameof(w));
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        ref float zr = ref MemoryMarshal.GetReference(z);
        ref float wr = ref MemoryMarshal.GetReference(w);
        nuint i = 0, len = (nuint)n;
        if (Vector512.IsHardwareAccelerated)
            for (; i + 16 <= len; i += 16)
                op.Invoke(Vector512.LoadUnsafe(ref xr, i), Vector512.LoadUnsafe(ref yr, i), Vector512.LoadUnsafe(ref zr, i)).StoreUnsafe(ref wr, i);
        if (Vector256.IsHardwareAccelerated)
            for (; i + 8 <= len; i += 8)
                op.Invoke(Vector256.LoadUnsafe(ref xr, i), Vector256.LoadUnsafe(ref yr, i), Vector256.LoadUnsafe(ref zr, i)).StoreUnsafe(ref wr, i);
        for (; i < len; i++) Unsafe.Add(ref wr, i) = op.Invoke(Unsafe.Add(ref xr, i), Unsafe.Add(ref yr, i), Unsafe.Add(ref zr, i));
    }

    /// <summary>v[i] = op(x[i], y[i], z[i], w[i]); v may be the same span as w (accumulation).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Map<TOp>(TOp op, ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> z, ReadOnlySpan<float> w, Span<float> v)
        where TOp : struct, IQuaternaryOp
    {
        int n = x.Length;
        Need(y.Length, n, nameof(y)); Need(z.Length, n, nameof(z)); Need(w.Length, n, nameof(w)); Need(v.Length, n, nameof(v));
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        ref float zr = ref MemoryMarshal.GetReference(z);
        ref float wr = ref MemoryMarshal.GetReference(w);
        ref float vr = ref MemoryMarshal.GetReference(v);
        nuint i = 0, len = (nuint)n;
        if (Vector512.IsHardwareAccelerated)
            for (; i + 16 <= len; i += 16)
                op.Invoke(Vector512.LoadUnsafe(ref xr, i), Vector512.LoadUnsafe(ref yr, i), Vector512.LoadUnsafe(ref zr, i), Vector512.LoadUnsafe(ref wr, i)).StoreUnsafe(ref vr, i);
        if (Vector256.IsHardwareAccelerated)
            for (; i + 8 <= len; i += 8)
                op.Invoke(Vector256.LoadUnsafe(ref xr, i), Vector256.LoadUnsafe(ref yr, i), Vector256.LoadUnsafe(ref zr, i), Vector256.LoadUnsafe(ref wr, i)).StoreUnsafe(ref vr, i);
        for (; i < len; i++)
            Unsafe.Add(ref vr, i) = op.Invoke(Unsafe.Add(ref xr, i), Unsafe.Add(ref yr, i), Unsafe.Add(ref zr, i), Unsafe.Add(ref wr, i));
    }

    /// <summary>y[i] = op(x[i]) and returns Σ y[i] (fused: softmax's exp-and-sum pass).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float MapSum<TOp>(TOp op, ReadOnlySpan<float> x, Span<float> y) where TOp : struct, IUnaryOp
    {
        int n = x.Length;
        Need(y.Length, n, nameof(y));
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        nuint i = 0, len = (nuint)n;
        float sum = 0f;
        if (Vector512.IsHardwareAccelerated && len >= 16)
        {
            var acc = Vector512<float>.Zero;
            for (; i + 16 <= len; i += 16) { var v = op.Invoke(Vector512.LoadUnsafe(ref xr, i)); v.StoreUnsafe(ref yr, i); acc += v; }
            sum += Vector512.Sum(acc);
        }
        if (Vector256.IsHardwareAccelerated && i + 8 <= len)
        {
            var acc = Vector256<float>.Zero;
            for (; i + 8 <= len; i += 8) { var v = op.Invoke(Vector256.LoadUnsafe(ref xr, i)); v.StoreUnsafe(ref yr, i); acc += v; }
            sum += Vector256.Sum(acc);
        }
        for (; i < len; i++) { float v = op.Invoke(Unsafe.Add(ref xr, i)); Unsafe.Add(ref yr, i) = v; sum += v; }
        return sum;
    }

    /// <summary>Σ op(x[i], y[i]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Sum<TOp>(TOp op, ReadOnlySpan<float> x, ReadOnlySpan<float> y) where TOp : struct, IBinaryOp
    {
        int n = x.Length;
        Need(y.Length, n, nameof(y));
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        nuint i = 0, len = (nuint)n;
        float sum = 0f;
        if (Vector512.IsHardwareAccelerated && len >= 16)
        {
            var acc = Vector512<float>.Zero;
            for (; i + 16 <= len; i += 16) acc += op.Invoke(Vector512.LoadUnsafe(ref xr, i), Vector512.LoadUnsafe(ref yr, i));
            sum += Vector512.Sum(acc);
        }
        if (Vector256.IsHardwareAccelerated && i + 8 <= len)
        {
            var acc = Vector256<float>.Zero;
            for (; i + 8 <= len; i += 8) acc += op.Invoke(Vector256.LoadUnsafe(ref xr, i), Vector256.LoadUnsafe(ref yr, i));
            sum += Vector256.Sum(acc);
        }
        for (; i < len; i++) sum += op.Invoke(Unsafe.Add(ref xr, i), Unsafe.Add(ref yr, i));
        return sum;
    }

    /// <summary>op(w[i], g[i], s[i]) in place.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Update<TOp>(TOp op, Span<float> w, ReadOnlySpan<float> g, Span<float> s) where TOp : struct, IUpdate1Op
    {
        int n = w.Length;
        Need(g.Length, n, nameof(g)); Need(s.Length, n, nameof(s));
        ref float wr = ref MemoryMarshal.GetReference(w);
        ref float gr = ref MemoryMarshal.GetReference(g);
        ref float sr = ref MemoryMarshal.GetReference(s);
        nuint i = 0, len = (nuint)n;
        if (Vector512.IsHardwareAccelerated)
            for (; i + 16 <= len; i += 16)
            {
                var wv = Vector512.LoadUnsafe(ref wr, i); var sv = Vector512.LoadUnsafe(ref sr, i);
                op.Invoke(ref wv, Vector512.LoadUnsafe(ref gr, i), ref sv);
                wv.StoreUnsafe(ref wr, i); sv.StoreUnsafe(ref sr, i);
            }
        if (Vector256.IsHardwareAccelerated)
            for (; i + 8 <= len; i += 8)
            {
                var wv = Vector256.LoadUnsafe(ref wr, i); var sv = Vector256.LoadUnsafe(ref sr, i);
                op.Invoke(ref wv, Vector256.LoadUnsafe(ref gr, i), ref sv);
                wv.StoreUnsafe(ref wr, i); sv.StoreUnsafe(ref sr, i);
            }
        for (; i < len; i++) op.Invoke(ref Unsafe.Add(ref wr, i), Unsafe.Add(ref gr, i), ref Unsafe.Add(ref sr, i));
    }

    /// <summary>op(w[i], g[i], s[i], t[i]) in place.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Update<TOp>(TOp op, Span<float> w, ReadOnlySpan<float> g, Span<float> s, Span<float> t) where TOp : struct, IUpdate2Op
    {
        int n = w.Length;
        Need(g.Length, n, nameof(g)); Need(s.Length, n, nameof(s)); Need(t.Length, n, nameof(t));
        ref float wr = ref MemoryMarshal.GetReference(w);
        ref float gr = ref MemoryMarshal.GetReference(g);
        ref float sr = ref MemoryMarshal.GetReference(s);
        ref float tr = ref MemoryMarshal.GetReference(t);
        nuint i = 0, len = (nuint)n;
        if (Vector512.IsHardwareAccelerated)
            for (; i + 16 <= len; i += 16)
            {
                var wv = Vector512.LoadUnsafe(ref wr, i); var sv = Vector512.LoadUnsafe(ref sr, i); var tv = Vector512.LoadUnsafe(ref tr, i);
                op.Invoke(ref wv, Vector512.LoadUnsafe(ref gr, i), ref sv, ref tv);
                wv.StoreUnsafe(ref wr, i); sv.StoreUnsafe(ref sr, i); tv.StoreUnsafe(ref tr, i);
            }
        if (Vector256.IsHardwareAccelerated)
            for (; i + 8 <= len; i += 8)
            {
                var wv = Vector256.LoadUnsafe(ref wr, i); var sv = Vector256.LoadUnsafe(ref sr, i); var tv = Vector256.LoadUnsafe(ref tr, i);
                op.Invoke(ref wv, Vector256.LoadUnsafe(ref gr, i), ref sv, ref tv);
                wv.StoreUnsafe(ref wr, i); sv.StoreUnsafe(ref sr, i); tv.StoreUnsafe(ref tr, i);
            }
        for (; i < len; i++) op.Invoke(ref Unsafe.Add(ref wr, i), Unsafe.Add(ref gr, i), ref Unsafe.Add(ref sr, i), ref Unsafe.Add(ref tr, i));
    }

    private static void Need(int have, int need, string name)
    {
        if (have < need) throw new ArgumentException($"Kernel span '{name}' holds {have} elements but {need} are needed.", name);
    }
}
