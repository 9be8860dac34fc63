// A small PAFT pipeline from F# interactive, on the library as built:
//
//   dotnet build src/Paft.Cli -c Release
//   dotnet fsi docs/samples/paft-pipeline.fsx
//
// It makes a tiny base model with the embedded demo's recipe (no download), builds a template pool with
// the offline grammar and splits it into training and unseen test templates, fine-tunes with PAFT through
// mlContext.Paft(), and evaluates the model on the unseen templates. It runs in about a minute on two
// cores. The tiny model is trained to answer with the option's text (AnswerTarget.OptionText): it is too
// small to learn the paper's answer letters (see the README).
#I "../../src/Paft.Cli/bin/Release/net10.0"
#r "Microsoft.ML.Core.dll"
#r "Microsoft.ML.Data.dll"
#r "Microsoft.ML.DataView.dll"
#r "TorchSharp.dll"
#r "Paft.Llama.dll"
#r "Paft.MLNet.dll"
#r "Microsoft.ML.Tokenizers.dll"

open System
open System.IO
open Microsoft.ML
open Paft.MLNet
open Paft.MLNet.Demo
open Paft.Llama.Lora
open Paft.MLNet.Prompts
open Paft.MLNet.Scoring
open Paft.MLNet.Tasks.Readers
open Paft.MLNet.Training

TorchSharp.torch.set_num_threads Environment.ProcessorCount
let workDir = Path.Combine(Path.GetTempPath(), "paft-fsx-sample")

// 1. A tiny base model, pretrained here by the demo recipe (base/ is a Hugging Face folder).
let demo = DemoRecipe.Run(DemoOptions(OutputDirectory = workDir))
let baseModel = Path.Combine(workDir, "base")
printfn "base model: %s (%d parameters)" baseModel demo.ModelParameters

// 2. The task's rows and a pool of templates split into training and unseen test templates.
let task = DemoTask.Definition
let rows = DemoTask.Split(1024, 0, 96, seed = 7)
let pool = OfflineTemplateGenerator(task).GeneratePool(48, seed = 3)
let split = pool.Split(0.25, seed = 3)
printfn "pool: %d training templates, %d test templates" split.Train.Count split.Test.Count

// 3. PAFT: LoRA fine-tuning with a template redrawn every K = 4 rows and every epoch.
let ml = MLContext(seed = 0)
let options =
    PaftTrainerOptions(
        ModelPath = baseModel,
        Task = task,
        TrainingTemplates = Seq.toArray split.Train.Templates,
        Lora = LoraConfig(Rank = 16, Alpha = 32.0),                      // on q_proj and v_proj, as the paper
        AnswerTarget = AnswerTarget.OptionText,
        Scoring = ScoringMode.OptionText,
        Epochs = 3,
        BatchSize = 16,
        LearningRate = 5e-3,
        MaxLength = 256,
        Seed = 1)
let model = ml.Paft().Trainers.PromptAgnosticFineTuning(options).Fit(rows.Train.ToDataView(task))

// 4. Robustness on the unseen templates: standard ML.NET metrics per template, summarised.
let metrics = ml.Paft().Evaluate(model, rows.Test.ToDataView(task), split.Test.Templates)
for t in metrics.Templates do
    printfn "  %-28s accuracy %5.1f%%  (macro %5.1f%%)" t.TemplateId (100.0 * t.Accuracy) (100.0 * t.Metrics.MacroAccuracy)
printfn "mean %.1f%% ± %.1f%%, worst %.1f%%, over %d unseen templates"
    (100.0 * metrics.MeanAccuracy) (100.0 * metrics.AccuracyStdDev) (100.0 * metrics.MinAccuracy) metrics.Templates.Count

// 5. Save and load back: the adapter in PEFT layout plus paft_model.json.
let saved = Path.Combine(workDir, "paft-model")
model.Save saved
let reloaded = PaftTransformer.Load(ml, saved)
printfn "saved to %s; reloaded with inference template '%s'" saved reloaded.InferenceTemplate.Id
