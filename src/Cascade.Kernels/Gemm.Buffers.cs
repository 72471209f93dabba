using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Cascade.Kernels;

/// <summary>
/// Per-thread packing buffers: pinned (on the POH, so their address never moves), 64-byte aligned (one cache
/// line; a 512-bit load never straddles two lines), grown on demand and then reused, so steady-state GEMM calls
/// allocate nothing. Each thread owns its buffers, so threads never share packed data.
/// </summary>
internal static unsafe class GemmBuffers
{
    [ThreadStatic] private static float[]? t_panelB;
    [ThreadStatic] private static float[]? t_sliverA;

    public static float* PanelB(int floats) => Aligned(ref t_panelB, floats);

    public static float* SliverA(int floats) => Aligned(ref t_sliverA, floats);

    private static float* Aligned(ref float[]? buffer, int floats)
    {
        if (buffer is null || buffer.Length < floats + 16)
            buffer = GC.AllocateUninitializedArray<float>(floats + 16, pinned: true);
        nint p = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer));
        return (float*)((p + 63) & ~(nint)63);
    }
}
