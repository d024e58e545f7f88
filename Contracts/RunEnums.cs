using System.Runtime.Serialization;
using System.Text.Json.Serialization;

namespace SegCluster.Contracts;

/// <summary>A method a run can evaluate (Experiment's MethodCatalog describes each).</summary>
[GenerateSerializer, JsonConverter(typeof(NameConverter<Method>))]
public enum Method
{
    [EnumMember(Value = "oslsm")] Oslsm,
    [EnumMember(Value = "1-nn")] NearestNeighbour,
    [EnumMember(Value = "logreg")] LogisticRegression,
    [EnumMember(Value = "finetune")] FineTuning,
    [EnumMember(Value = "siamese")] Siamese,
    [EnumMember(Value = "co-segmentation")] Cosegmentation,
    [EnumMember(Value = "all-foreground")] AllForeground,
    [EnumMember(Value = "copy-support-mask")] CopySupportMask,
    [EnumMember(Value = "oslsm-mean-logits")] OslsmMeanLogits,
    [EnumMember(Value = "oslsm-mean-parameters")] OslsmMeanParameters,
    [EnumMember(Value = "oslsm-other-class")] OslsmOtherClass,
}

/// <summary>The optimizer OSLSM trains with.</summary>
[GenerateSerializer, JsonConverter(typeof(NameConverter<Optimizer>))]
public enum Optimizer
{
    [EnumMember(Value = "sgd")] Sgd,
    [EnumMember(Value = "adam")] Adam,
}

/// <summary>How the pixel losses of an episode combine: summed (the paper) or averaged.</summary>
[GenerateSerializer, JsonConverter(typeof(NameConverter<LossReduction>))]
public enum LossReduction
{
    [EnumMember(Value = "sum")] Sum,
    [EnumMember(Value = "mean")] Mean,
}

/// <summary>
/// The number format of OSLSM's forward pass at test time: fp32 (as trained) or bf16 (bfloat16 weights and
/// activations: oneDNN's bf16 kernels, several times the fp32 rate on CPUs with AVX512-BF16 or AMX; elsewhere
/// emulated and slower). Training is always fp32.
/// </summary>
[GenerateSerializer, JsonConverter(typeof(NameConverter<InferencePrecision>))]
public enum InferencePrecision
{
    [EnumMember(Value = "fp32")] Float32,
    [EnumMember(Value = "bf16")] BFloat16,
}

/// <summary>
/// How test episodes pick their query and class: uniform (the paper: a query uniform over the test images, a class
/// uniform among its classes) or pairs (the authors' loader: shuffled passes over every (image, class) pair).
/// </summary>
[GenerateSerializer, JsonConverter(typeof(NameConverter<TestSampler>))]
public enum TestSampler
{
    [EnumMember(Value = "uniform")] Uniform,
    [EnumMember(Value = "pairs")] Pairs,
}

/// <summary>
/// The classes a batch's test episodes are drawn from: the fold's held-out classes (the paper's test), or its
/// training classes on held-out images (VOC val), a control that shows what seeing a class in training is worth.
/// </summary>
[GenerateSerializer, JsonConverter(typeof(NameConverter<ClassSet>))]
public enum ClassSet
{
    [EnumMember(Value = "unseen")] Unseen,
    [EnumMember(Value = "seen")] Seen,
}

/// <summary>Where a run stands: running until it ends done, failed or cancelled; unknown for a run never started.</summary>
[GenerateSerializer, JsonConverter(typeof(NameConverter<RunState>))]
public enum RunState
{
    [EnumMember(Value = "running")] Running,
    [EnumMember(Value = "done")] Done,
    [EnumMember(Value = "failed")] Failed,
    [EnumMember(Value = "cancelled")] Cancelled,
    [EnumMember(Value = "unknown")] Unknown,
}

/// <summary>Where a fold stands: queued, one training state per network (Experiment's FoldPlan.StateOf), evaluating, then done, failed or cancelled.</summary>
[GenerateSerializer, JsonConverter(typeof(NameConverter<FoldState>))]
public enum FoldState
{
    [EnumMember(Value = "queued")] Queued,
    [EnumMember(Value = "training")] Training,
    [EnumMember(Value = "training-base")] TrainingBase,
    [EnumMember(Value = "training-siamese")] TrainingSiamese,
    [EnumMember(Value = "evaluating")] Evaluating,
    [EnumMember(Value = "done")] Done,
    [EnumMember(Value = "failed")] Failed,
    [EnumMember(Value = "cancelled")] Cancelled,
}

public static class States
{
    public static bool IsFinished(this RunState state) => state is RunState.Done or RunState.Failed or RunState.Cancelled;
    public static bool IsFinished(this FoldState state) => state is FoldState.Done or FoldState.Failed or FoldState.Cancelled;
    public static bool IsTraining(this FoldState state) => state is FoldState.Training or FoldState.TrainingBase or FoldState.TrainingSiamese;

    /// <summary>The run state a finished fold state stands for.</summary>
    public static RunState AsRunState(this FoldState state) => state switch
    {
        FoldState.Done => RunState.Done,
        FoldState.Failed => RunState.Failed,
        FoldState.Cancelled => RunState.Cancelled,
        _ => RunState.Running,
    };
}
