using System.Text;
using Cascade.Nn.Checkpoints;
using Cascade.Tensors;

namespace Cascade.Nn.Tests;

public sealed class TempDir : IDisposable
{
    public TempDir() => Directory.CreateDirectory(Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "cascade-nn-" + Guid.NewGuid().ToString("N")));
    public string Path { get; }
    public string File(string name) => System.IO.Path.Combine(Path, name);
    public void Dispose() => Directory.Delete(Path, recursive: true);
}

public class SafeTensorsTests
{
    /// <summary>A file assembled byte by byte, independent of the writer: proves the reader speaks the format.</summary>
    private static byte[] HandBuilt(string dtype = "F32")
    {
        string header = "{\"w\":{\"dtype\":\"" + dtype + "\",\"shape\":[2],\"data_offsets\":[0,8]},"
                      + "\"b\":{\"dtype\":\"F32\",\"shape\":[1,1],\"data_offsets\":[8,12]},"
                      + "\"__metadata__\":{\"format\":\"pt\"}}";
        var h = Encoding.UTF8.GetBytes(header);
        var bytes = new List<byte>();
        ulong n = (ulong)h.Length;
        for (int i = 0; i < 8; i++) bytes.Add((byte)(n >> (8 * i)));                // u64 little-endian
        bytes.AddRange(h);
        bytes.AddRange([0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0]);           // 1.0f, −2.0f (IEEE 754, LE)
        bytes.AddRange([0x00, 0x00, 0x00, 0x3F]);                                   // 0.5f
        return bytes.ToArray();
    }

    [Fact]
    public void ReadsAHandBuiltFile()
    {
        using var dir = new TempDir();
        var path = dir.File("hand.safetensors");
        File.WriteAllBytes(path, HandBuilt());
        var f = SafeTensors.Read(path);
        Assert.Equal([1f, -2f], f.Tensors["w"].Data);
        Assert.Equal([2], f.Tensors["w"].Shape);
        Assert.Equal([0.5f], f.Tensors["b"].Data);
        Assert.Equal([1, 1], f.Tensors["b"].Shape);
        Assert.Equal("pt", f.Metadata["format"]);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path))), f.Sha256);
    }

    [Fact]
    public void WriterLayoutMatchesTheReferenceConventions()
    {
        using var dir = new TempDir();
        var path = dir.File("out.safetensors");
        var a = Tensor.FromArray([1f, 2f, 3f], [1, 3]);
        var b = Tensor.FromArray([-1f, 0.25f], [2]);
        string sha = SafeTensors.Write(path, [("b", b), ("a", a)], new Dictionary<string, string> { ["format"] = "pt" });
        var bytes = File.ReadAllBytes(path);
        const string json = "{\"__metadata__\":{\"format\":\"pt\"},\"a\":{\"dtype\":\"F32\",\"shape\":[1,3],\"data_offsets\":[0,12]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[12,20]}}";
        int padded = (json.Length + 7) / 8 * 8;
        Assert.Equal((ulong)padded, BitConverter.ToUInt64(bytes, 0));
        Assert.Equal(0, padded % 8);
        Assert.Equal(json + new string(' ', padded - json.Length), Encoding.UTF8.GetString(bytes, 8, padded));
        var data = bytes.AsSpan(8 + padded);
        Assert.Equal(20, data.Length);
        Assert.Equal([1f, 2f, 3f, -1f, 0.25f], System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(data).ToArray());
        Assert.Equal(sha, AtomicFile.Sha256(path));
        Assert.Equal(["out.safetensors"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));   // no temp file left
        var back = SafeTensors.Read(path);
        Assert.Equal(a.ToArray(), back.Tensors["a"].Data);
    }

    private static CheckpointException ReadBad(byte[] bytes)
    {
        using var dir = new TempDir();
        var path = dir.File("bad.safetensors");
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<CheckpointException>(() => SafeTensors.Read(path));
        Assert.Contains("bad.safetensors", e.Message);
        return e;
    }

    [Fact]
    public void TruncatedDataNamesTheTensor()
    {
        var bytes = HandBuilt();
        var e = ReadBad(bytes[..^2]);
        Assert.Equal("b", e.TensorName);
        Assert.Contains("truncated", e.Message);
        Assert.Contains("truncated", ReadBad(bytes[..5]).Message);
        Assert.Contains("truncated", ReadBad(bytes[..40]).Message);
    }

    [Fact]
    public void CorruptedHeaderIsReported()
    {
        var bytes = HandBuilt();
        bytes[8] = (byte)'[';
        bytes[9] = (byte)'x';
        Assert.Contains("corrupted header", ReadBad(bytes).Message);
        var huge = HandBuilt();
        huge[7] = 0x10;   // header length ≈ 1.15e18
        Assert.Contains("corrupted header", ReadBad(huge).Message);
    }

    [Fact]
    public void DtypeMismatchNamesTheTensor()
    {
        var e = ReadBad(HandBuilt("F16"));
        Assert.Equal("w", e.TensorName);
        Assert.Contains("dtype mismatch", e.Message);
        Assert.Contains("F16", e.Message);
    }

    [Fact]
    public void ExtraTrailingBytesAreRejected()
    {
        var bytes = HandBuilt().Concat(new byte[] { 1, 2, 3, 4 }).ToArray();
        Assert.Contains("cover", ReadBad(bytes).Message);
    }
}
