namespace Cascade.Nn.Optim;

/// <summary>
/// Parameters that share a learning rate and a weight decay. Weight decay is L2 added to the gradient
/// (g + λ·w) by SGD, Adam, Adagrad and FTRL, and decoupled (w −= lr·λ·w) by AdamW; for sparse tables it is applied
/// to the touched rows only.
/// </summary>
/// <param name="Parameters">Members of the group.</param>
/// <param name="LearningRate">Base learning rate (multiplied by the schedule's factor).</param>
/// <param name="WeightDecay">λ.</param>
/// <param name="Name">Name used in errors and checkpoints.</param>
public sealed record ParameterGroup(IReadOnlyList<Parameter> Parameters, float LearningRate, float WeightDecay = 0f, string Name = "default")
{
    /// <summary>
    /// Splits parameters by <see cref="Parameter.Group"/>: each group name maps to (learning rate, weight decay);
    /// groups not listed in <paramref name="settings"/> use the defaults. Group order follows first appearance.
    /// </summary>
    public static List<ParameterGroup> ByTag(IEnumerable<Parameter> parameters, float learningRate, float weightDecay,
        IReadOnlyDictionary<string, (float LearningRate, float WeightDecay)>? settings = null)
    {
        var order = new List<string>();
        var members = new Dictionary<string, List<Parameter>>(StringComparer.Ordinal);
        foreach (var p in parameters)
        {
            if (!members.TryGetValue(p.Group, out var list))
            {
                members[p.Group] = list = new List<Parameter>();
                order.Add(p.Group);
            }
            list.Add(p);
        }
        return order.Select(name =>
        {
            var (lr, wd) = settings is not null && settings.TryGetValue(name, out var s) ? s : (learningRate, weightDecay);
            return new ParameterGroup(members[name], lr, wd, name);
        }).ToList();
    }
}
