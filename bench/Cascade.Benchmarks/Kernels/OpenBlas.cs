using System.Runtime.InteropServices;

namespace Cascade.Benchmarks.Kernels;

/// <summary>
/// OpenBLAS through P/Invoke, for comparison only (never referenced from src/). Loaded at run time so a machine
/// without the library still runs the Cascade half of every comparison. Debian: apt-get install libopenblas0-pthread.
/// </summary>
internal sealed unsafe class OpenBlas
{
    private const int RowMajor = 101, NoTrans = 111, Trans = 112;
    private static readonly string[] Candidates =
    [
        "libopenblas.so.0",
        "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
        "libopenblas.so",
    ];

    private readonly delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> _sgemm;
    private readonly delegate* unmanaged<int, void> _setThreads;
    private readonly delegate* unmanaged<nint> _config;
    private readonly delegate* unmanaged<nint> _coreName;

    private OpenBlas(nint lib, string path)
    {
        Path = path;
        _sgemm = (delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)NativeLibrary.GetExport(lib, "cblas_sgemm");
        _setThreads = (delegate* unmanaged<int, void>)NativeLibrary.GetExport(lib, "openblas_set_num_threads");
        _config = NativeLibrary.TryGetExport(lib, "openblas_get_config", out var c) ? (delegate* unmanaged<nint>)c : null;
        _coreName = NativeLibrary.TryGetExport(lib, "openblas_get_corename", out var n) ? (delegate* unmanaged<nint>)n : null;
    }

    /// <summary>The file that was loaded.</summary>
    public string Path { get; }

    /// <summary>Build configuration string, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY SkylakeX MAX_THREADS=64".</summary>
    public string Config => _config == null ? "unknown" : Marshal.PtrToStringAnsi(_config()) ?? "unknown";

    /// <summary>The core kernel set OpenBLAS picked at run time (honours OPENBLAS_CORETYPE).</summary>
    public string CoreName => _coreName == null ? "unknown" : Marshal.PtrToStringAnsi(_coreName()) ?? "unknown";

    /// <summary>Loads the library or returns null with the reason.</summary>
    /// <remarks>$CASCADE_OPENBLAS names the library file to use instead of the Debian locations.</remarks>
    public static OpenBlas? TryLoad(out string reason)
    {
        string? custom = Environment.GetEnvironmentVariable("CASCADE_OPENBLAS");
        string[] candidates = string.IsNullOrWhiteSpace(custom) ? Candidates : [custom];
        foreach (var name in candidates)
        {
            if (NativeLibrary.TryLoad(name, out var lib))
            {
                if (!NativeLibrary.TryGetExport(lib, "cblas_sgemm", out _)) continue;
                reason = "";
                return new OpenBlas(lib, name);
            }
        }
        reason = $"OpenBLAS not found (tried {string.Join(", ", candidates)}); install it with `apt-get install -y libopenblas0-pthread`"
            + " or point CASCADE_OPENBLAS at the library file.";
        return null;
    }

    /// <summary>Sets OpenBLAS's thread count for the following calls.</summary>
    public void SetThreads(int threads) => _setThreads(threads);

    /// <summary>Row-major C = alpha · op(A) · op(B) + beta · C (same convention as Gemm.Sgemm).</summary>
    public void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha, float[] a, int lda, float[] b, int ldb, float beta, float[] c, int ldc)
    {
        fixed (float* pa = a, pb = b, pc = c)
            _sgemm(RowMajor, transA ? Trans : NoTrans, transB ? Trans : NoTrans, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
    }
}
