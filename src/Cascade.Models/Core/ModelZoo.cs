using System.Reflection;
using Cascade.Features.Encoders;

namespace Cascade.Models;

/// <summary>
/// Marks a <see cref="CtrModel"/> for the <see cref="ModelZoo"/>. The class must have a public constructor
/// (FeatureLayout layout, ModelSettings settings).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
public sealed class ModelAttribute(string name, string description) : Attribute
{
    /// <summary>Registered name (lower case, as in configs: "dssm", "hit", "deepfm").</summary>
    public string Name { get; } = name;

    /// <summary>One-line description with the paper.</summary>
    public string Description { get; } = description;
}

/// <summary>Creates models by name from their <see cref="ModelAttribute"/> registrations.</summary>
public static class ModelZoo
{
    private static readonly Lazy<Dictionary<string, (Type Type, string Description)>> Registry = new(() =>
    {
        var d = new Dictionary<string, (Type, string)>(StringComparer.OrdinalIgnoreCase);
        foreach (var t in typeof(ModelZoo).Assembly.GetTypes())
            foreach (var a in t.GetCustomAttributes<ModelAttribute>())
                d[a.Name] = (t, a.Description);
        return d;
    });

    /// <summary>Registered models: name → description.</summary>
    public static IReadOnlyDictionary<string, string> Models => Registry.Value.ToDictionary(kv => kv.Key, kv => kv.Value.Description);

    /// <summary>Builds the model named in <paramref name="settings"/> for <paramref name="layout"/>; unknown names and unknown parameters are errors.</summary>
    public static CtrModel Create(FeatureLayout layout, ModelSettings settings)
    {
        if (!Registry.Value.TryGetValue(settings.Model, out var entry))
            throw new ArgumentException($"Unknown model '{settings.Model}'. Known models: {string.Join(", ", Registry.Value.Keys.Order())}.");
        var ctor = entry.Type.GetConstructor([typeof(FeatureLayout), typeof(ModelSettings)])
            ?? throw new InvalidOperationException($"Model type {entry.Type.Name} lacks a (FeatureLayout, ModelSettings) constructor.");
        CtrModel model;
        try { model = (CtrModel)ctor.Invoke([layout, settings]); }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
        settings.ThrowOnUnused();
        return model;
    }
}
