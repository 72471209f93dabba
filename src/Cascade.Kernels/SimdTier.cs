using System.Runtime.Intrinsics.X86;
using System.Runtime.Intrinsics;

namespace Cascade.Kernels;

/// <summary>The widest vector path the kernels take on this process (fixed at start-up by the JIT).</summary>
public enum SimdTier
{
    /// <summary>No hardware vectors (e.g. <c>DOTNET_EnableHWIntrinsic=0</c>): plain scalar loops.</summary>
    Scalar,
    /// <summary>256-bit vectors (AVX2 + FMA; e.g. <c>DOTNET_EnableAVX512F=0</c> on an AVX-512 machine).</summary>
    Vector256,
    /// <summary>512-bit vectors (AVX-512F).</summary>
    Vector512,
}

/// <summary>Reports which <see cref="SimdTier"/> the kernels use, for benchmarks, logs and the fallback tests.</summary>
public static class Simd
{
    /// <summary>
    /// The tier every kernel dispatches on: Vector512 when <see cref="Vector512.IsHardwareAccelerated"/>, else
    /// Vector256 when 256-bit vectors and FMA are both in hardware, else Scalar.
    /// </summary>
    public static SimdTier Tier
    {
        get
        {
            if (Vector512.IsHardwareAccelerated) return SimdTier.Vector512;
            if (Vector256.IsHardwareAccelerated && Fma.IsSupported) return SimdTier.Vector256;
            return SimdTier.Scalar;
        }
    }

    /// <summary>True when the 256-bit path is taken (and the 512-bit one is not).</summary>
    internal static bool Use256 => !Vector512.IsHardwareAccelerated && Vector256.IsHardwareAccelerated && Fma.IsSupported;
}
