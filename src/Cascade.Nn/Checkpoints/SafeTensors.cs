using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Cascade.Nn.Checkpoints;

/// <summary>One tensor of a safetensors file: name, shape and float32 values (row-major).</summary>
public sealed record SafeTensor(string Name, int[] Shape, float[] Data);

/// <summary>The content of a safetensors file.</summary>
/// <param name="Tensors">Tensors by name.</param>
/// <param name="Metadata">The <c>__metadata__</c> string map (empty when absent).</param>
/// <param name="Sha256">SHA-256 of the whole file (lower-case hex).</param>
public sealed record SafeTensorsFile(IReadOnlyDictionary<string, SafeTensor> Tensors, IReadOnlyDictionary<string, string> Metadata, string Sha256);

/// <summary>
/// The safetensors format (Hugging Face), float32 only: an 8-byte little-endian unsigned header length N; N bytes of
/// UTF-8 JSON <c>{"__metadata__": {string: string}, name: {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}}</c>
/// padded with spaces so that the data starts 8-byte aligned; then the raw little-endian data, offsets relative to
/// the start of the data section. This writer orders tensors by name (ordinal) and packs them without gaps;
/// the reader checks every field and that the offsets tile the data section exactly.
/// </summary>
public static class SafeTensors
{
    /// <summary>Largest header the reader accepts (the reference implementation's limit, 100 MB).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    /// <summary>Atomically writes the tensors and returns the file's SHA-256.</summary>
    public static string Write(string path, IEnumerable<(string Name, Cascade.Tensors.Tensor Value)> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var list = tensors.OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
        for (int i = 1; i < list.Count; i++)
            if (list[i].Name == list[i - 1].Name) throw new CheckpointException(path, list[i].Name, "duplicate tensor name.");
        var header = BuildHeader(list.Select(t => (t.Name, t.Value.ShapeArray)), metadata);
        return AtomicFile.Write(path, w =>
        {
            Span<byte> len = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)header.Length);
            w.Write(len);
            w.Write(header);
            foreach (var (_, value) in list) WriteFloats(w, value.Span);
        });
    }

    /// <summary>
    /// The header bytes for tensors in the given order: compact JSON, <c>__metadata__</c> first, padded with spaces to
    /// a multiple of 8 bytes.
    /// </summary>
    public static byte[] BuildHeader(IEnumerable<(string Name, int[] Shape)> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        using var ms = new MemoryStream();
        using (var json = new Utf8JsonWriter(ms))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject("__metadata__");
                foreach (var (k, v) in metadata.OrderBy(p => p.Key, StringComparer.Ordinal)) json.WriteString(k, v);
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, shape) in tensors)
            {
                long bytes = 4L * Cascade.Tensors.ShapeUtil.Numel(shape);
                json.WriteStartObject(name);
                json.WriteString("dtype", "F32");
                json.WriteStartArray("shape");
                foreach (int d in shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + bytes);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += bytes;
            }
            json.WriteEndObject();
        }
        int raw = (int)ms.Length;
        int padded = (raw + 7) / 8 * 8;
        for (int i = raw; i < padded; i++) ms.WriteByte((byte)' ');
        return ms.ToArray();
    }

    private static void WriteFloats(HashingWriter w, ReadOnlySpan<float> values)
    {
        if (BitConverter.IsLittleEndian)
        {
            w.Write(MemoryMarshal.AsBytes(values));
            return;
        }
        Span<byte> four = stackalloc byte[4];
        foreach (float v in values)
        {
            BinaryPrimitives.WriteSingleLittleEndian(four, v);
            w.Write(four);
        }
    }

    /// <summary>Reads and validates a file; every error is a <see cref="CheckpointException"/> naming the file and tensor.</summary>
    public static SafeTensorsFile Read(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException(path, null, $"cannot read the file ({e.Message}).", e);
        }
        return Parse(path, bytes);
    }

    /// <summary>Parses file bytes (see <see cref="Read"/>); <paramref name="path"/> is used in messages only.</summary>
    public static SafeTensorsFile Parse(string path, byte[] bytes)
    {
        if (bytes.Length < 8) throw new CheckpointException(path, null, $"truncated: {bytes.Length} bytes, fewer than the 8-byte header length.");
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (n > MaxHeaderBytes) throw new CheckpointException(path, null, $"corrupted header: declared header length {n} exceeds the {MaxHeaderBytes}-byte limit.");
        if ((long)n > bytes.Length - 8) throw new CheckpointException(path, null, $"truncated: header length {n} but only {bytes.Length - 8} bytes follow.");
        int dataStart = 8 + (int)n;
        long dataLength = bytes.Length - dataStart;
        JsonDocument doc;
        try { doc = JsonDocument.Parse(bytes.AsMemory(8, (int)n)); }
        catch (JsonException e) { throw new CheckpointException(path, null, $"corrupted header: invalid JSON ({e.Message}).", e); }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new CheckpointException(path, null, "corrupted header: the JSON header is not an object.");
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var spans = new List<(string Name, int[] Shape, long Begin, long End)>();
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (prop.Name == "__metadata__")
                {
                    if (prop.Value.ValueKind != JsonValueKind.Object) throw new CheckpointException(path, null, "corrupted header: __metadata__ is not an object.");
                    foreach (var m in prop.Value.EnumerateObject())
                    {
                        if (m.Value.ValueKind != JsonValueKind.String) throw new CheckpointException(path, null, $"corrupted header: __metadata__ value '{m.Name}' is not a string.");
                        metadata[m.Name] = m.Value.GetString()!;
                    }
                    continue;
                }
                spans.Add(ParseEntry(path, prop));
            }
            var tensors = new Dictionary<string, SafeTensor>(StringComparer.Ordinal);
            long expected = 0;
            foreach (var (name, shape, begin, end) in spans.OrderBy(s => s.Begin))
            {
                if (begin != expected) throw new CheckpointException(path, name, $"data_offsets [{begin}, {end}] leave a gap or overlap (expected to start at {expected}).");
                if (end > dataLength) throw new CheckpointException(path, name, $"truncated: needs data bytes [{begin}, {end}) but the data section has {dataLength} bytes.");
                var data = new float[(end - begin) / 4];
                var src = bytes.AsSpan(dataStart + (int)begin, (int)(end - begin));
                if (BitConverter.IsLittleEndian) src.CopyTo(MemoryMarshal.AsBytes(data.AsSpan()));
                else for (int i = 0; i < data.Length; i++) data[i] = BinaryPrimitives.ReadSingleLittleEndian(src.Slice(4 * i));
                tensors[name] = new SafeTensor(name, shape, data);
                expected = end;
            }
            if (expected != dataLength) throw new CheckpointException(path, null, $"the data section has {dataLength} bytes but the tensors cover {expected}.");
            var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
            return new SafeTensorsFile(tensors, metadata, sha);
        }
    }

    private static (string Name, int[] Shape, long Begin, long End) ParseEntry(string path, JsonProperty prop)
    {
        string name = prop.Name;
        var e = prop.Value;
        if (e.ValueKind != JsonValueKind.Object) throw new CheckpointException(path, name, "corrupted header: entry is not an object.");
        if (!e.TryGetProperty("dtype", out var dtype) || dtype.ValueKind != JsonValueKind.String)
            throw new CheckpointException(path, name, "corrupted header: missing string field 'dtype'.");
        if (dtype.GetString() != "F32") throw new CheckpointException(path, name, $"dtype mismatch: stored as {dtype.GetString()}, expected F32.");
        if (!e.TryGetProperty("shape", out var shapeEl) || shapeEl.ValueKind != JsonValueKind.Array)
            throw new CheckpointException(path, name, "corrupted header: missing array field 'shape'.");
        var shape = new int[shapeEl.GetArrayLength()];
        int k = 0;
        long numel = 1;
        foreach (var d in shapeEl.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out int v) || v < 0)
                throw new CheckpointException(path, name, "corrupted header: shape entries must be non-negative integers.");
            shape[k++] = v;
            numel *= v;
        }
        if (!e.TryGetProperty("data_offsets", out var off) || off.ValueKind != JsonValueKind.Array || off.GetArrayLength() != 2)
            throw new CheckpointException(path, name, "corrupted header: 'data_offsets' must be [begin, end].");
        if (!off[0].TryGetInt64(out long begin) || !off[1].TryGetInt64(out long end) || begin < 0 || end < begin)
            throw new CheckpointException(path, name, "corrupted header: 'data_offsets' must be non-negative with begin ≤ end.");
        if (end - begin != numel * 4)
            throw new CheckpointException(path, name, $"data_offsets [{begin}, {end}] hold {end - begin} bytes but shape [{string.Join(", ", shape)}] needs {numel * 4}.");
        return (name, shape, begin, end);
    }
}
