// A small PAFT pipeline as a C# script (a .NET 10 file-based app):
//
//   dotnet run docs/samples/PaftPipeline.cs
//
// The same steps as paft-pipeline.fsx: a tiny base model from the embedded demo's recipe, an offline
// template pool split into training and unseen test templates, PAFT through mlContext.Paft(), and
// robustness on the unseen templates.
#:project ../../src/Paft.MLNet/Paft.MLNet.csproj
// ML.NET generates code at run time; file-based apps default to native AOT, which forbids that.
#:property PublishAot=false

using Microsoft.ML;
using Paft.MLNet;
using Paft.MLNet.Demo;
using Paft.MLNet.Prompts;
using Paft.MLNet.Scoring;
using Paft.MLNet.Tasks.Readers;
using Paft.MLNet.Training;

string workDir = Path.Combine(Path.GetTempPath(), "paft-cs-sample");
DemoResult demo = DemoRecipe.Run(new DemoOptions
{
    OutputDirectory = workDir, PretrainSteps = 60, TrainExamples = 64, ValidationExamples = 16, TestExamples = 16, Templates = 16,
});
string baseModel = Path.Combine(workDir, "base");
Console.WriteLine($"base model: {baseModel} ({demo.ModelParameters:N0} parameters)");

var task = DemoTask.Definition;
DemoSplits rows = DemoTask.Split(64, 0, 16, seed: 7);
PromptPoolSplit split = new OfflineTemplateGenerator(task).GeneratePool(24, seed: 3).Split(0.25, seed: 3);

var ml = new MLContext(seed: 0);
PaftTransformer model = ml.Paft().Trainers.PromptAgnosticFineTuning(new PaftTrainerOptions
{
    ModelPath = baseModel, Task = task, TrainingTemplates = split.Train.Templates.ToList(),
    // The tiny model answers with the option's text; it is too small to learn the paper's letters (README).
    AnswerTarget = AnswerTarget.OptionText, Scoring = ScoringMode.OptionText,
    Epochs = 1, BatchSize = 8, LearningRate = 5e-3, MaxLength = 256, Seed = 1,
}).Fit(rows.Train.ToDataView(task));

var metrics = ml.Paft().Evaluate(model, rows.Test.ToDataView(task), split.Test.Templates);
foreach (var t in metrics.Templates)
    Console.WriteLine($"  {t.TemplateId,-28} accuracy {t.Accuracy:P1}");
Console.WriteLine($"mean {metrics.MeanAccuracy:P1} ± {metrics.AccuracyStdDev:P1}, worst {metrics.MinAccuracy:P1}");
