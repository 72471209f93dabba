namespace Cascade.Nn.Checkpoints;

/// <summary>A checkpoint file that cannot be read or does not match the model: names the file and, when known, the tensor.</summary>
public sealed class CheckpointException : IOException
{
    /// <summary>Creates the exception; the message is prefixed with the file (and tensor).</summary>
    public CheckpointException(string filePath, string? tensorName, string problem, Exception? inner = null)
        : base(tensorName is null ? $"{filePath}: {problem}" : $"{filePath}: tensor '{tensorName}': {problem}", inner)
    {
        FilePath = filePath;
        TensorName = tensorName;
    }

    /// <summary>The file that failed.</summary>
    public string FilePath { get; }

    /// <summary>The tensor concerned, or null for file-level problems.</summary>
    public string? TensorName { get; }
}
