namespace Cascade.Features.Schema;

/// <summary>One problem found in a schema file: where, which field, what is wrong and how to fix it.</summary>
/// <param name="File">Schema file path (or "&lt;string&gt;").</param>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column.</param>
/// <param name="Field">Dotted path of the offending field, e.g. <c>features[3].kind</c>.</param>
/// <param name="Problem">What is wrong.</param>
/// <param name="Fix">How to fix it.</param>
public sealed record SchemaError(string File, int Line, int Column, string Field, string Problem, string Fix)
{
    /// <inheritdoc />
    public override string ToString() => $"{File}:{Line}:{Column}: {Field}: {Problem} Fix: {Fix}";
}

/// <summary>Thrown when a schema has errors; <see cref="Errors"/> lists every one, not just the first.</summary>
public sealed class SchemaException : Exception
{
    /// <summary>All errors found.</summary>
    public IReadOnlyList<SchemaError> Errors { get; }

    /// <summary>Creates the exception from the error list.</summary>
    public SchemaException(IReadOnlyList<SchemaError> errors)
        : base($"schema has {errors.Count} error(s):{Environment.NewLine}" + string.Join(Environment.NewLine, errors))
        => Errors = errors;
}
