using Cascade.Tensors;

namespace Cascade.Nn;

/// <summary>
/// Base class of layers and models: a tree of named child modules, parameters and buffers. Full names join the
/// path with dots, so a model's tower reads <c>user_tower.mlp.0.weight</c>; the same names key checkpoints and
/// optimizer state. Subclasses register everything in their constructor, in a fixed order, which makes
/// <see cref="NamedParameters"/> deterministic.
/// </summary>
/// <example>
/// <code>
/// sealed class Tower : Module
/// {
///     public Tower() { Mlp = RegisterModule("mlp", new Mlp(new MlpOptions(16, [32, 8]))); }
///     public Mlp Mlp { get; }
/// }
/// // new Tower().NamedParameters() → mlp.0.weight, mlp.0.bias, mlp.1.weight, mlp.1.bias
/// </code>
/// </example>
public abstract class Module
{
    private readonly List<(string Name, Parameter Value)> _parameters = new();
    private readonly List<(string Name, Module Value)> _children = new();
    private readonly List<(string Name, Tensor Value)> _buffers = new();
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    /// <summary>True in training mode (dropout active, batch-norm uses batch statistics); false in evaluation mode.</summary>
    public bool IsTraining { get; private set; } = true;

    /// <summary>Registers a parameter under <paramref name="name"/> (no dots; unique among this module's entries).</summary>
    protected Parameter RegisterParameter(string name, Parameter parameter)
    {
        Claim(name);
        parameter.Value.Name ??= name;
        _parameters.Add((name, parameter));
        return parameter;
    }

    /// <summary>Registers a child module; its entries appear under <c>name.</c>. The child takes this module's mode.</summary>
    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        ArgumentNullException.ThrowIfNull(module);
        Claim(name);
        module.SetTraining(IsTraining);
        _children.Add((name, module));
        return module;
    }

    /// <summary>
    /// Registers a non-trainable state tensor (e.g. batch-norm running mean) that checkpoints save and load.
    /// </summary>
    protected Tensor RegisterBuffer(string name, Tensor buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        Claim(name);
        buffer.Name ??= name;
        _buffers.Add((name, buffer));
        return buffer;
    }

    private void Claim(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.'))
            throw new ArgumentException($"{GetType().Name}: entry name '{name}' must be non-empty and contain no '.'.", nameof(name));
        if (!_names.Add(name))
            throw new ArgumentException($"{GetType().Name}: an entry named '{name}' is already registered.", nameof(name));
    }

    /// <summary>Direct children with their local names.</summary>
    public IEnumerable<(string Name, Module Module)> NamedChildren() => _children.Select(c => (c.Name, c.Value));

    /// <summary>This module (name "") and every descendant, depth first, with full dotted names.</summary>
    public IEnumerable<(string Name, Module Module)> NamedModules(string prefix = "")
    {
        yield return (prefix, this);
        foreach (var (name, child) in _children)
            foreach (var item in child.NamedModules(Join(prefix, name))) yield return item;
    }

    /// <summary>Every parameter with its full dotted name: own parameters first, then children in registration order.</summary>
    public IEnumerable<(string Name, Parameter Parameter)> NamedParameters(string prefix = "")
    {
        foreach (var (name, p) in _parameters) yield return (Join(prefix, name), p);
        foreach (var (name, child) in _children)
            foreach (var item in child.NamedParameters(Join(prefix, name))) yield return item;
    }

    /// <summary>Every buffer with its full dotted name.</summary>
    public IEnumerable<(string Name, Tensor Buffer)> NamedBuffers(string prefix = "")
    {
        foreach (var (name, b) in _buffers) yield return (Join(prefix, name), b);
        foreach (var (name, child) in _children)
            foreach (var item in child.NamedBuffers(Join(prefix, name))) yield return item;
    }

    /// <summary>Parameters and buffers by full name: what a checkpoint stores.</summary>
    public IEnumerable<(string Name, Tensor Value)> NamedState()
    {
        foreach (var (name, p) in NamedParameters()) yield return (name, p.Value);
        foreach (var item in NamedBuffers()) yield return item;
    }

    /// <summary>Every parameter, in <see cref="NamedParameters"/> order.</summary>
    public List<Parameter> Parameters() => NamedParameters().Select(p => p.Parameter).ToList();

    /// <summary>Total number of trainable scalars.</summary>
    public long ParameterCount => NamedParameters().Sum(p => (long)p.Parameter.Size);

    /// <summary>Switches this module and all descendants to training (true) or evaluation (false) mode.</summary>
    public void Train(bool training = true) => SetTraining(training);

    /// <summary>Switches to evaluation mode (same as <c>Train(false)</c>).</summary>
    public void Eval() => SetTraining(false);

    private void SetTraining(bool training)
    {
        IsTraining = training;
        foreach (var (_, child) in _children) child.SetTraining(training);
    }

    /// <summary>Clears the gradients of every parameter (touched rows only for sparse tables).</summary>
    public void ZeroGrad()
    {
        foreach (var (_, p) in _parameters) p.ZeroGrad();
        foreach (var (_, child) in _children) child.ZeroGrad();
    }

    private static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;
}
