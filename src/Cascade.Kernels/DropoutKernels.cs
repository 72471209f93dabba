using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Cascade.Kernels;

/// <summary>
/// The ReLU → inverted-dropout pair of an MLP layer fused into one pass (docs/design/fused-ops.md): with m the scaled
/// dropout mask (0 or 1/(1 − p)), y = relu(x) · m and the mask is rewritten to m' = (x &gt; 0 ? m : 0), so the
/// backward is the single dx += dy · m' of dropout alone. Bit-identical to running relu then dropout for finite
/// values: relu(x) · m is the same product, and dy · m' adds exactly dy · m where relu passed the gradient and
/// ±0 elsewhere.
/// </summary>
public static class DropoutKernels
{
    /// <summary>y = relu(x) · mask; mask ← (x &gt; 0 ? mask : 0). All spans have the same length.</summary>
    /// <param name="x">Pre-activation input.</param>
    /// <param name="mask">Scaled dropout mask on entry; the combined relu-and-dropout gradient mask on return.</param>
    /// <param name="y">Output.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ReluDropoutForward(ReadOnlySpan<float> x, Span<float> mask, Span<float> y)
    {
        int n = x.Length;
        if (mask.Length != n || y.Length != n)
            throw new ArgumentException($"ReluDropoutForward: x, mask and y must have the same length, got {n}, {mask.Length}, {y.Length}.");
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float mr = ref MemoryMarshal.GetReference(mask);
        ref float yr = ref MemoryMarshal.GetReference(y);
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + Vector512<float>.Count <= n; i += Vector512<float>.Count)
            {
                var v = Vector512.LoadUnsafe(ref xr, (nuint)i);
                var m = Vector512.LoadUnsafe(ref mr, (nuint)i);
                var pos = Vector512.GreaterThan(v, Vector512<float>.Zero);
                (Vector512.ConditionalSelect(pos, v, Vector512<float>.Zero) * m).StoreUnsafe(ref yr, (nuint)i);
                Vector512.ConditionalSelect(pos, m, Vector512<float>.Zero).StoreUnsafe(ref mr, (nuint)i);
            }
        }
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + Vector256<float>.Count <= n; i += Vector256<float>.Count)
            {
                var v = Vector256.LoadUnsafe(ref xr, (nuint)i);
                var m = Vector256.LoadUnsafe(ref mr, (nuint)i);
                var pos = Vector256.GreaterThan(v, Vector256<float>.Zero);
                (Vector256.ConditionalSelect(pos, v, Vector256<float>.Zero) * m).StoreUnsafe(ref yr, (nuint)i);
                Vector256.ConditionalSelect(pos, m, Vector256<float>.Zero).StoreUnsafe(ref mr, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float v = Unsafe.Add(ref xr, i), m = Unsafe.Add(ref mr, i);
            bool pos = v > 0f;
            Unsafe.Add(ref yr, i) = (pos ? v : 0f) * m;
            Unsafe.Add(ref mr, i) = pos ? m : 0f;
        }
    }
}
