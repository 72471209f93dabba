using System.Runtime.InteropServices;

namespace Cascade.Index;

/// <summary>
/// The native memory of one storage chunk: bfloat16 rows, version words, level-0 blocks and fp32 vectors in one
/// 2 MB-aligned allocation, each section 64-byte aligned, zeroed, and freed when no directory references it.
/// </summary>
/// <remarks>
/// At 1M nodes a search touches random rows, blocks and version words spread over ~330 MB. With 4 KB pages that is a
/// TLB miss per touch (the second-level TLB covers a few MB); on Linux the whole 2 MB pages of the allocation are
/// advised for transparent huge pages (<c>madvise(MADV_HUGEPAGE)</c>; this machine runs THP in "madvise" mode), so the
/// hot sections — rows, versions and blocks come first — are mapped with 2 MB pages. The tail that does not fill a
/// 2 MB page keeps 4 KB pages, so no memory is wasted on rounding. Elsewhere, or if the call fails, pages stay 4 KB.
/// </remarks>
internal sealed unsafe class ChunkMemory
{
    private const nuint HugePage = 2 << 20;
    private const int MadvHugePage = 14;

    public readonly byte* Base;
    private readonly long _bytes;

    public ChunkMemory(long bytes)
    {
        _bytes = bytes;
        Base = (byte*)NativeMemory.AlignedAlloc((nuint)bytes, HugePage);
        if (OperatingSystem.IsLinux())
        {
            nuint whole = (nuint)bytes / HugePage * HugePage;
            if (whole > 0)
            {
                try { _ = Madvise(Base, whole, MadvHugePage); } // advisory: failure leaves 4 KB pages
                catch (DllNotFoundException) { }
                catch (EntryPointNotFoundException) { }
            }
        }
        NativeMemory.Clear(Base, (nuint)bytes); // first touch after the advice, so faults map huge pages
        GC.AddMemoryPressure(bytes);
    }

    ~ChunkMemory()
    {
        NativeMemory.AlignedFree(Base);
        GC.RemoveMemoryPressure(_bytes);
    }

    [DllImport("libc", EntryPoint = "madvise")]
    private static extern int Madvise(void* address, nuint length, int advice);
}
