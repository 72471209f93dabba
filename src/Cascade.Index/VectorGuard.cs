namespace Cascade.Index;

/// <summary>Boundary checks for vectors entering an index: dimension and finiteness, with messages naming the culprit.</summary>
internal static class VectorGuard
{
    public static void Check(ReadOnlySpan<float> v, int dimensions, string what, long id = long.MinValue)
    {
        string who = id == long.MinValue ? what : $"{what} for id {id}";
        if (v.Length != dimensions)
            throw new ArgumentException($"{who}: expected {dimensions} components, got {v.Length}.");
        for (int i = 0; i < v.Length; i++)
        {
            if (!float.IsFinite(v[i]))
                throw new ArgumentException($"{who}: component {i} is {v[i]}; NaN and infinite values are rejected.");
        }
    }
}
