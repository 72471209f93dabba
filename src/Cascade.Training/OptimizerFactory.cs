using Cascade.Models;
using Cascade.Nn;
using Cascade.Nn.Optim;
using Cascade.Training.Config;

namespace Cascade.Training;

/// <summary>Builds the optimizer an <see cref="OptimizerConfig"/> names for a model.</summary>
public static class OptimizerFactory
{
    /// <summary>
    /// One group per parameter tag; the embedding group gets no weight decay (its regularisation is the explicit
    /// L2 on the rows of each batch, <see cref="OptimizerConfig.L2Embedding"/>), the others get
    /// <see cref="OptimizerConfig.WeightDecay"/>.
    /// </summary>
    public static Optimizer Create(CtrModel model, OptimizerConfig o)
    {
        float decay = o.Name == "ftrl" ? 0f : o.WeightDecay;
        var groups = ParameterGroup.ByTag(model.Parameters(), o.LearningRate, decay,
            new Dictionary<string, (float, float)> { [Parameter.EmbeddingGroup] = (o.LearningRate, 0f) });
        return o.Name switch
        {
            "adam" => new Adam(groups),
            "adamw" => new AdamW(groups),
            "adagrad" => new Adagrad(groups),
            "sgd" => new Sgd(groups, o.Momentum),
            "ftrl" => new Ftrl(groups, o.LearningRate, o.FtrlBeta, o.FtrlL1, o.FtrlL2),
            _ => throw new ArgumentException($"optimizer.name '{o.Name}' is not one of adam, adamw, adagrad, sgd, ftrl."),
        };
    }
}
