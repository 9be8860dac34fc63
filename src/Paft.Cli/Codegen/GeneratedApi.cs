using Paft.MLNet;
using Paft.MLNet.Model;
using Paft.MLNet.Tasks.Readers;

namespace Paft.Cli.Codegen;

/// <summary>
/// Every name of the library that generated code uses, in one place: a rename in Paft.MLNet is a one-line change here.
/// Templates take their arguments as <c>{0}</c>, <c>{1}</c>.
/// </summary>
internal static class GeneratedApi
{
    /// <summary>The NuGet package a generated project references.</summary>
    public const string PackageId = "Paft.MLNet";

    /// <summary>Namespaces the consumption code imports.</summary>
    public static readonly string[] ConsumptionUsings = ["System", "System.Collections.Generic", "System.Linq", "System.Threading", "Microsoft.ML", "Microsoft.ML.Data", "Paft.MLNet"];

    /// <summary>Namespaces the training code imports.</summary>
    public static readonly string[] TrainingUsings =
        ["System", "System.Collections.Generic", "System.Linq", "Microsoft.ML", "Paft.Llama.Lora", "Paft.MLNet", "Paft.MLNet.Prompts", "Paft.MLNet.Scoring", "Paft.MLNet.Tasks", "Paft.MLNet.Tasks.Readers", "Paft.MLNet.Training"];

    /// <summary>Namespaces the console program imports.</summary>
    public static readonly string[] ProgramUsings = ["System", "System.Collections.Generic", "System.Globalization", "System.Linq", "Microsoft.ML", "Paft.MLNet.Tasks", "Paft.MLNet.Tasks.Readers"];

    /// <summary>The trained model's type.</summary>
    public const string Transformer = "PaftTransformer";

    /// <summary>Loads a saved model folder: {0} the context, {1} the folder.</summary>
    public const string LoadModel = "PaftTransformer.Load({0}, {1})";

    /// <summary>ML.NET's prediction engine over the model: {0} the context, {1} the model.</summary>
    public const string CreatePredictionEngine = "{0}.Model.CreatePredictionEngine<ModelInput, ModelOutput>({1})";

    /// <summary>The trainer options' type.</summary>
    public const string TrainerOptions = "PaftTrainerOptions";

    /// <summary>The PAFT trainer: {0} the context, {1} the options.</summary>
    public const string PaftTrainer = "{0}.Paft().Trainers.PromptAgnosticFineTuning({1})";

    /// <summary>The one-template SFT trainer: {0} the context, {1} the options, {2} the template.</summary>
    public const string SftTrainer = "{0}.Paft().Trainers.SupervisedFineTuning({1}, {2})";

    /// <summary>A built-in task by name: {0} the name literal.</summary>
    public const string BuiltInTask = "TaskDefinition.FromName({0})";

    /// <summary>A task definition file: {0} the path literal.</summary>
    public const string TaskFile = "TaskDefinitionFile.Load({0})";

    /// <summary>Reads rows of a task in its standard format: {0} the task, {1} the path.</summary>
    public const string ReadRows = "TaskReaders.Read({0}, {1})";

    /// <summary>Rows as a data view: {0} the rows, {1} the task.</summary>
    public const string RowsToDataView = "{0}.ToDataView({1})";

    /// <summary>Loads a template pool: {0} the path, {1} the escaping.</summary>
    public const string LoadPool = "PromptPool.Load({0}, PromptTextEscaping.{1})";

    /// <summary>The pool's templates, and one of them by id: {0} the pool, {1} the id literal.</summary>
    public const string PoolTemplates = "{0}.Templates.ToArray()";
    public const string PoolTemplate = "{0}.Templates.First(t => t.Id == {1})";

    /// <summary>Types whose members the training options name.</summary>
    public const string LoraConfig = "LoraConfig";
    public const string ScoringMode = "ScoringMode";
    public const string AnswerTarget = "AnswerTarget";
    public const string ComputeType = "PaftComputeType";
    public const string TaskType = "TaskDefinition";
    public const string ExampleType = "TaskExample";
    public const string PoolType = "PromptPool";

    /// <summary>A row's field values and its 0-based label (-1 unlabelled): {0} the row.</summary>
    public const string ExampleField = "{0}.Fields[{1}]";
    public const string ExampleLabel = "{0}.Label";
    public const string ExampleSource = "{0}.Source";

    /// <summary>The columns the model reads and writes.</summary>
    public const string LabelColumn = TaskDataView.LabelColumnName;
    public const string PredictedLabelColumn = PaftTransformer.DefaultPredictedLabelColumnName;
    public const string ScoreColumn = PaftTransformer.DefaultScoreColumnName;
    public const string GeneratedTextColumn = PaftTransformer.GeneratedTextColumnName;

    /// <summary>The trainer options' properties the training code sets, in this order.</summary>
    public static class Options
    {
        public const string ModelPath = nameof(Paft.MLNet.PaftTrainerOptions.ModelPath);
        public const string Task = nameof(Paft.MLNet.PaftTrainerOptions.Task);
        public const string TrainingTemplates = nameof(Paft.MLNet.PaftTrainerOptions.TrainingTemplates);
        public const string Lora = nameof(Paft.MLNet.PaftTrainerOptions.Lora);
        public const string LoraRank = nameof(Paft.Llama.Lora.LoraConfig.Rank);
        public const string LoraAlpha = nameof(Paft.Llama.Lora.LoraConfig.Alpha);
        public const string LoraTargets = nameof(Paft.Llama.Lora.LoraConfig.TargetModules);
        public const string K = nameof(Paft.MLNet.PaftTrainerOptions.RedrawEverySteps);
        public const string Epochs = nameof(Paft.MLNet.PaftTrainerOptions.Epochs);
        public const string LearningRate = nameof(Paft.MLNet.PaftTrainerOptions.LearningRate);
        public const string BatchSize = nameof(Paft.MLNet.PaftTrainerOptions.BatchSize);
        public const string GradientAccumulation = nameof(Paft.MLNet.PaftTrainerOptions.GradientAccumulationSteps);
        public const string MaxLength = nameof(Paft.MLNet.PaftTrainerOptions.MaxLength);
        public const string Seed = nameof(Paft.MLNet.PaftTrainerOptions.Seed);
        public const string ComputeType = nameof(Paft.MLNet.PaftTrainerOptions.ComputeType);
        public const string GradientCheckpointing = nameof(Paft.MLNet.PaftTrainerOptions.GradientCheckpointing);
        public const string Scoring = nameof(Paft.MLNet.PaftTrainerOptions.Scoring);
        public const string AnswerTarget = nameof(Paft.MLNet.PaftTrainerOptions.AnswerTarget);
    }
}
