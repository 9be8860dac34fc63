// SFT against PAFT on the embedded demo's task, as a C# script (a .NET 10 file-based app):
//
//   dotnet run docs/samples/PaftPipeline.cs
//
// The same steps as paft-pipeline.fsx, through the public API only: the demo's tiny base model
// (DemoRecipe.PretrainBase: pretrained here, no download), its rows and its template pools; single-template
// SFT and PAFT with mlContext.Paft()'s trainers from the small-model recipe (PaftRecipes.SmallModel: the
// model answers with the option's text, lr 5e-3, LoRA r 16); both evaluated on the unseen test templates.
// It costs pretraining plus two of `paft demo`'s six fine-tunings (on the idle 2-core machine the whole demo, six fine-tunings, takes 2.3 minutes).
//
// Expected output (these are `paft demo`'s sft and paft settings, seed 2502; measured there on 2026-12-07, see the README's table):
//   SFT  on its own template 100.0%, on the unseen templates 45.7% (mean over 24 templates; worst 21.9%)
//   PAFT on the unseen templates 98.4% (worst 69.8%)
//   (on the AMD EPYC of docs/benchmarks.md; another CPU's float kernels give other figures from the same seed: on an
//   Intel Xeon, SFT 30.7% (worst 16.7%) and PAFT 97.8% (worst 47.9%), as CI prints)
#:project ../../src/Paft.Demo/Paft.Demo.csproj
// ML.NET generates code at run time; file-based apps default to native AOT, which forbids that.
#:property PublishAot=false

using Microsoft.ML;
using Paft.Demo;
using Paft.MLNet;
using Paft.MLNet.Evaluation;
using Paft.MLNet.Tasks.Readers;
using Paft.MLNet.Training;

string workDir = Path.Combine(Path.GetTempPath(), "paft-cs-sample");
// 1. The base model (workDir/base, a Hugging Face folder), the task's rows and the two disjoint template pools.
DemoBase demo = DemoRecipe.PretrainBase(new DemoOptions { OutputDirectory = workDir });
Console.WriteLine($"base model: {demo.Directory} ({demo.Parameters:N0} parameters); " +
                  $"{demo.TrainTemplates.Count} training templates, {demo.TestTemplates.Count} unseen test templates");

// 2. SFT on the pool's first template, and PAFT on the whole pool (a template redrawn every K = 4 steps).
var ml = new MLContext(seed: 0);
PaftTrainerOptions options = PaftRecipes.SmallModel();
options.ModelPath = demo.Directory;
options.Task = demo.Task;
options.TrainingTemplates = demo.TrainTemplates;
options.Seed = 2502;
IDataView train = demo.Splits.Train.ToDataView(demo.Task), test = demo.Splits.Test.ToDataView(demo.Task);
PaftTransformer sft = ml.Paft().Trainers.SupervisedFineTuning(options, demo.TrainTemplates[0]).Fit(train);
PaftTransformer paft = ml.Paft().Trainers.PromptAgnosticFineTuning(options).Fit(train);

// 3. Robustness on the unseen templates.
PromptRobustnessMetrics own = ml.Paft().Evaluate(sft, test, [demo.TrainTemplates[0]]);
Console.WriteLine($"SFT  on its own template: {own.MeanAccuracy:P1}");
foreach ((string name, PaftTransformer model) in new[] { ("SFT", sft), ("PAFT", paft) })
{
    PromptRobustnessMetrics m = ml.Paft().Evaluate(model, test, demo.TestTemplates);
    Console.WriteLine($"{name,-4} on {m.Templates.Count} unseen templates: mean {m.MeanAccuracy:P1} ± {m.AccuracyStdDev:P1}, worst {m.MinAccuracy:P1}");
}
