using Cascade.Nn.Optim;

namespace Cascade.Nn.Tests;

/// <summary>Every optimizer, named, with the settings the cross-optimizer tests use (momentum, FTRL's L1).</summary>
internal static class OptimizerKinds
{
    public static TheoryData<string> All() => new() { "sgd", "adam", "adamw", "adagrad", "ftrl" };

    public static Optimizer Make(string kind, IEnumerable<ParameterGroup> g) => kind switch
    {
        "sgd" => new Sgd(g, momentum: 0.9f),
        "adam" => new Adam(g),
        "adamw" => new AdamW(g),
        "adagrad" => new Adagrad(g, 0.1f),
        "ftrl" => new Ftrl(g, 0.5f, l1: 0.001f),
        _ => throw new ArgumentException($"unknown optimizer kind '{kind}'", nameof(kind)),
    };
}
