using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.ML;
using Paft.MLNet.Connectors;
using Paft.MLNet.Evaluation;
using Paft.MLNet.PromptGeneration;
using Paft.MLNet.Perturbation;
using Paft.MLNet.Prompts;
using Paft.MLNet.Selection;
using Paft.MLNet.Tasks;
using Paft.MLNet.Training;
using Paft.MLNet.Tests.PromptGeneration;
using Paft.Tests.Common;

namespace Paft.MLNet.Tests.Training;

/// <summary>
/// The catalog's ZOPO and BATprompt baselines on the tiny random LLaMA fixture: which template they choose
/// is whatever the base model's scores say, so the tests check the choice against the selection's own
/// trace, the trace against the base model's accuracy measured independently, and the fitted model
/// against the choice.
/// </summary>
public class SelectionFineTuningTests
{
    private static string ModelDir => SharedData.Path("fixtures", "llama", "tiny-llama2-vocab32k");

    private static readonly PromptTemplate[] Pool =
    [
        PromptTemplate.Parse("Goal: {goal}\nA. {sol1}\nB. {sol2}\nAnswer:", "inline"),
        PromptTemplate.Parse("Which solution reaches the goal? {goal} (A) {sol1} (B) {sol2} Answer:", "paren"),
        PromptTemplate.Parse("{goal}\nOption A: {sol1}\nOption B: {sol2}\nThe answer is", "cue-last"),
        PromptTemplate.Parse("A: {sol1}\nB: {sol2}\nTo {goal}, pick A or B.\nAnswer:", "options-first"),
        PromptTemplate.Parse("Task: {goal}\n1) {sol1}\n2) {sol2}\nReply with A or B. Answer:", "numbered"),
    ];

    /// <summary>A PIQA row with the task's own column names.</summary>
    public sealed class Row
    {
        public string goal { get; set; } = "";
        public string sol1 { get; set; } = "";
        public string sol2 { get; set; } = "";
        public int Label { get; set; }
    }

    private static readonly string[] Items = ["a phone", "the bread", "my notes", "a match", "the salt", "your socks", "a map"];

    // Labels are uneven (one B in three): a random model that leans to one letter under a template then
    // scores differently under templates that lean differently, so the selections have something to choose.
    private static Row[] Rows(int count, int offset = 0) => Enumerable.Range(offset, count).Select(i => new Row
    {
        goal = $"keep {Items[i % Items.Length]} dry on day {i}",
        sol1 = i % 3 == 0 ? "leave it in the rain" : "put it in a sealed bag",
        sol2 = i % 3 == 0 ? "put it in a sealed bag" : "leave it in the rain",
        Label = i % 3 == 0 ? 1 : 0,
    }).ToArray();

    private static PaftTrainerOptions Options() => new()
    {
        ModelPath = ModelDir,
        Task = TaskDefinition.Piqa,
        TrainingTemplates = Pool,
        Epochs = 1,
        BatchSize = 4,
        LearningRate = 1e-2,
        Seed = 3,
        MaxLength = 128,
    };

    /// <summary>The base model's accuracy under each template, measured by the evaluator, not by the selection code.</summary>
    private static Dictionary<string, double> BaseAccuracies(MLContext ml, IDataView validation, IEnumerable<PromptTemplate> templates)
    {
        using PaftTransformer baseModel = ml.Paft().Trainers.BaseModel(Options()).Fit(validation);
        PromptRobustnessMetrics metrics = ml.Paft().Evaluate(baseModel, validation, templates);
        return metrics.Templates.ToDictionary(t => t.TemplateId, t => t.Accuracy);
    }

    /// <summary>Four training rows: one optimizer step at batch size 4, enough to show what the selection trained on.</summary>
    private static IDataView Train(MLContext ml) => ml.Data.LoadFromEnumerable(Rows(4));

    private static ZopoResult Zopo(MLContext ml, PaftTrainerOptions options, IDataView validation, ZopoOptions? search, ITemplateEmbedder? embedder = null)
    {
        using PaftTransformer model = ml.Paft().Trainers.ZopoFineTuning(new ZopoTrainerOptions
        {
            Trainer = options, SelectionData = validation, Search = search, Embedder = embedder,
        }).Fit(Train(ml));
        return model.TrainingInfo!.Selection!.Zopo!;
    }

    [SharedFact]
    public void Zopo_ChoosesTheBestEvaluatedTemplateWithinTheBudget_AndTrainsOnIt()
    {
        var ml = new MLContext(seed: 1);
        IDataView validation = ml.Data.LoadFromEnumerable(Rows(6, offset: 100));
        // Seed 5 evaluates templates the base model scores differently, so "the best of the trace" is a real choice.
        var zopo = new ZopoOptions { Budget = 3, InitialSamples = 2, Seed = 5 };

        using PaftTransformer model = ml.Paft().Trainers.ZopoFineTuning(new ZopoTrainerOptions
        {
            Trainer = Options(), SelectionData = validation, Search = zopo,
        }).Fit(Train(ml));
        TemplateSelection selection = model.TrainingInfo!.Selection!;
        ZopoResult chosen = selection.Zopo!;

        Assert.InRange(chosen.Trace.Count, 1, 3);
        Assert.True(chosen.Trace.Select(s => s.Accuracy).Distinct().Count() > 1, "the fixture no longer separates the templates this seed evaluates");
        string[] evaluated = chosen.Trace.Select(s => s.TemplateId).ToArray();
        Assert.Equal(evaluated.Length, evaluated.Distinct().Count());
        Assert.All(evaluated, id => Assert.Contains(Pool, t => t.Id == id));
        Assert.Contains(chosen.Best.Id, evaluated);
        Assert.Same(Pool.Single(t => t.Id == chosen.Best.Id), chosen.Best);
        Assert.Equal(chosen.Trace.Max(s => s.Accuracy), chosen.BestAccuracy);
        Assert.Equal(chosen.Trace.First(s => s.Accuracy == chosen.BestAccuracy).TemplateId, chosen.Best.Id); // earliest on ties
        // Each evaluation is the base model's accuracy on the validation rows under that template.
        Dictionary<string, double> expected = BaseAccuracies(ml, validation, Pool.Where(t => evaluated.Contains(t.Id)));
        Assert.All(chosen.Trace, s => Assert.Equal(expected[s.TemplateId], s.Accuracy, 10));

        Assert.Equal((TemplateSelectionMethod.Zopo, chosen.Best.Id, chosen.BestAccuracy, chosen.Trace.Count),
            (selection.Method, selection.TemplateId, selection.Accuracy, selection.TemplatesScored));
        Assert.Same(chosen.Best, model.InferenceTemplate);

        // The summary is saved with the model; the full search record is not.
        using var folder = new TempFolder();
        model.Save(folder.Path);
        using PaftTransformer loaded = PaftTransformer.Load(ml, folder.Path);
        Assert.Equal(selection with { Duration = default, Zopo = null }, loaded.TrainingInfo!.Selection);
        Assert.Equal([chosen.Best.Id], model.TrainingInfo!.TrainingTemplateIds);
    }

    [SharedFact]
    public void Zopo_BudgetAbovePoolSize_EvaluatesEachTemplateOnce()
    {
        var ml = new MLContext(seed: 1);
        IDataView validation = ml.Data.LoadFromEnumerable(Rows(2));
        PaftTrainerOptions options = Options();
        options.TrainingTemplates = Pool.Take(2).ToArray();

        ZopoResult chosen = Zopo(ml, options, validation, new ZopoOptions { Budget = 50 });

        Assert.Equal(["inline", "paren"], chosen.Trace.Select(s => s.TemplateId).Order());
    }

    [SharedFact]
    public async System.Threading.Tasks.Task Zopo_WithAnEmbeddingModel_KeepsTheSeedsStart_AndGoesWhereTheEmbeddingPuts()
    {
        var ml = new MLContext(seed: 1);
        IDataView validation = ml.Data.LoadFromEnumerable(Rows(6, offset: 100));
        // One random start, then one candidate a step: the start's nearest neighbour in whichever embedding space.
        var zopo = new ZopoOptions { Budget = 2, InitialSamples = 1, NeighbourCount = 1, Seed = 5 };
        ZopoResult hidden = Zopo(ml, Options(), validation, zopo);
        string start = hidden.Trace[0].TemplateId;
        Dictionary<string, double> accuracies = BaseAccuracies(ml, validation, Pool);
        // The most accurate template the hidden-state search did not reach, scripted right next to the start.
        string target = Pool.Select(t => t.Id).Where(id => id != start && id != hidden.Trace[1].TemplateId).MaxBy(id => accuracies[id])!;
        Dictionary<string, float[]> vectors = Pool.Select((t, i) => (t, i)).ToDictionary(p => p.t.DisplayText, p =>
        {
            var v = new float[Pool.Length + 1];
            if (p.t.Id == start || p.t.Id == target)
                (v[0], v[1]) = (1f, p.t.Id == target ? 0.05f : 0f);
            else
                v[p.i + 1] = 1f;
            return v;
        });
        await using var server = LoopbackLlmServer.Start((request, _) => ScriptedResponse.Embeddings(request, t => vectors[t]));

        ZopoResult Embedded()
        {
            using var embedder = LlmClientFactory.CreateTemplateEmbedder(new LlmClientSettings { Endpoint = server.OpenAIEndpoint, Model = "embed-model" });
            return Zopo(ml, Options(), validation, zopo, embedder);
        }
        ZopoResult first = Embedded();
        ZopoResult second = Embedded();

        Assert.Equal(hidden.Trace[0], first.Trace[0]);                                 // the seed's start, whatever the embedding
        Assert.Equal([start, target], first.Trace.Select(s => s.TemplateId));          // then where the embedding model put the neighbour
        Assert.All(first.Trace, s => Assert.Equal(accuracies[s.TemplateId], s.Accuracy, 10));
        Assert.Equal(first.Trace, second.Trace);                                      // reproducible by seed
        Assert.Equal(2, server.RequestCount);                                         // one request per search: the pool in one batch
        Assert.Equal(first.Trace.First(s => s.Accuracy == first.Trace.Max(m => m.Accuracy)).TemplateId, first.Best.Id);
    }

    [SharedFact]
    public void BatPrompt_ChoosesTheTracesLeastDroppingTemplate_AndTrainsOnIt()
    {
        var ml = new MLContext(seed: 1);
        IDataView validation = ml.Data.LoadFromEnumerable(Rows(6, offset: 100));

        using PaftTransformer model = ml.Paft().Trainers.BatpromptFineTuning(new BatpromptTrainerOptions
        {
            Trainer = Options(), SelectionData = validation,
        }).Fit(Train(ml));
        BatpromptResult chosen = model.TrainingInfo!.Selection!.Batprompt!;

        // Offline, every pool template is scored once, in pool order, and nothing is rejected.
        Assert.Equal(Pool.Select(t => t.Id), chosen.Trace.Select(s => s.TemplateId));
        Assert.All(chosen.Trace, s => Assert.Equal(0, s.Round));
        Assert.Empty(chosen.Rejected);
        Assert.True(chosen.Trace.Select(s => s.Drop).Distinct().Count() > 1, "the fixture no longer separates the templates");
        // Clean accuracy is the base model's, as the evaluator measures it.
        Dictionary<string, double> expected = BaseAccuracies(ml, validation, Pool);
        Assert.All(chosen.Trace, s => Assert.Equal(expected[s.TemplateId], s.CleanAccuracy, 10));
        // The least drop (a rise counts as none), then the higher clean accuracy, then the earliest.
        BatpromptStep best = chosen.Trace
            .OrderBy(s => Math.Round(Math.Max(0, s.Drop), 9))
            .ThenByDescending(s => Math.Round(s.CleanAccuracy, 9))
            .First();
        Assert.Equal(best, chosen.Score);
        Assert.Equal(best.TemplateId, chosen.Best.Id);

        Assert.Equal(chosen.Best.Id, model.InferenceTemplate.Id);
        Assert.Equal(chosen.Best.Id, model.TrainingInfo.Selection!.TemplateId);
        Assert.Equal([chosen.Best.Id], model.TrainingInfo!.TrainingTemplateIds);
    }

    [SharedFact]
    public void BatPrompt_WithAChatClient_ScoresTheWrittenTemplate_AndTrainsOnWhicheverWins()
    {
        var ml = new MLContext(seed: 1);
        IDataView validation = ml.Data.LoadFromEnumerable(Rows(4, offset: 100));
        PaftTrainerOptions options = Options();
        options.TrainingTemplates = Pool.Take(2).ToArray();
        var chat = new OneReplyChatClient(@"Solve this.\nGoal: {goal}\n(A) {sol1}\n(B) {sol2}\nAnswer:"); // \n as two characters, one template a line

        using PaftTransformer model = ml.Paft().Trainers.BatpromptFineTuning(new BatpromptTrainerOptions
        {
            Trainer = options, SelectionData = validation, Selection = new BatpromptOptions { Rounds = 1, CandidatesPerRound = 1 }, ChatClient = chat,
        }).Fit(Train(ml));
        BatpromptResult chosen = model.TrainingInfo!.Selection!.Batprompt!;

        BatpromptStep written = Assert.Single(chosen.Trace, s => s.Round == 1);
        Assert.Equal("batprompt-r1-1", written.TemplateId);
        Assert.Contains(chosen.Score, chosen.Trace);
        Assert.Equal(chosen.Score.TemplateId, chosen.Best.Id);
        // Whether or not it is in the pool, the chosen template is the one trained and answered with.
        Assert.Equal([chosen.Best.Id], model.TrainingInfo.TrainingTemplateIds);
        Assert.Same(chosen.Best, model.InferenceTemplate);
    }

    [SharedFact]
    public void EmptyOrUnlabelledValidation_IsNamedBeforeAnythingIsLoaded()
    {
        var ml = new MLContext(seed: 1);
        IDataView empty = ml.Data.LoadFromEnumerable(Array.Empty<Row>());
        var unlabelled = ml.Data.LoadFromEnumerable(Rows(3).Select(r => new UnlabelledRow { goal = r.goal, sol1 = r.sol1, sol2 = r.sol2 }));

        // Options with a base model folder that does not exist: anything loaded would fail with DirectoryNotFoundException.
        PaftTrainerOptions Missing() => new() { ModelPath = Path.Combine(ModelDir, "no-such-model"), Task = TaskDefinition.Piqa, TrainingTemplates = Pool };
        IDataView train = Train(ml);

        var zopoEmpty = Assert.Throws<ArgumentException>(() =>
            ml.Paft().Trainers.ZopoFineTuning(new ZopoTrainerOptions { Trainer = Options(), SelectionData = empty }).Fit(train));
        Assert.Equal("SelectionData", zopoEmpty.ParamName);
        Assert.Contains("no rows", zopoEmpty.Message);
        var robustUnlabelled = Assert.Throws<ArgumentException>(() =>
            ml.Paft().Trainers.BatpromptFineTuning(new BatpromptTrainerOptions { Trainer = Options(), SelectionData = unlabelled }).Fit(train));
        Assert.Equal("SelectionData", robustUnlabelled.ParamName);
        Assert.Contains("Validation row 0 has no label", robustUnlabelled.Message);
        // Settings are checked when the trainer is made, before any data is read or model loaded.
        var badBudget = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Paft().Trainers.ZopoFineTuning(
            new ZopoTrainerOptions { Trainer = Missing(), SelectionData = empty, Search = new ZopoOptions { Budget = 0 } }));
        Assert.Equal("Budget", badBudget.ParamName);
        var rewriteWithoutChat = Assert.Throws<ArgumentException>(() => ml.Paft().Trainers.BatpromptFineTuning(new BatpromptTrainerOptions
        {
            Trainer = Missing(), SelectionData = empty, Selection = new BatpromptOptions { ChatRewrite = ChatRewriteKind.Synonyms },
        }));
        Assert.Equal("ChatClient", rewriteWithoutChat.ParamName);
    }

    [SharedFact]
    public void SelectionTrainers_AreMadeWithoutLoadingAnything_OnlyFitNeedsTheModel()
    {
        var ml = new MLContext(seed: 1);
        IDataView validation = ml.Data.LoadFromEnumerable(Rows(4, offset: 100));
        string missing = Path.Combine(ModelDir, "no-such-model");
        PaftTrainerOptions Missing() => new() { ModelPath = missing, Task = TaskDefinition.Piqa, TrainingTemplates = Pool };
        var chat = new OneReplyChatClient("never asked");
        PaftTrainersCatalog trainers = ml.Paft().Trainers;

        IEstimator<PaftTransformer>[] estimators =
        [
            trainers.TopAccuracyFineTuning(new TemplateSelectionTrainerOptions { Trainer = Missing(), SelectionData = validation }),
            trainers.ZopoFineTuning(new ZopoTrainerOptions { Trainer = Missing(), SelectionData = validation }),
            trainers.BatpromptFineTuning(new BatpromptTrainerOptions { Trainer = Missing(), SelectionData = validation, ChatClient = chat }),
            trainers.TopAccuracyFineTuning(missing, TaskDefinition.Piqa, Pool, validation),
            trainers.ZopoFineTuning(missing, TaskDefinition.Piqa, Pool, validation, budget: 2),
            trainers.BatpromptFineTuning(missing, TaskDefinition.Piqa, Pool, validation, chat),
            trainers.BaseModel(Missing()),
        ];

        foreach (IEstimator<PaftTransformer> estimator in estimators)
        {
            var error = Assert.Throws<DirectoryNotFoundException>(() => estimator.Fit(Train(ml)));
            Assert.Contains(missing, error.Message);
        }
        Assert.Equal(0, chat.Calls); // the chat client was never asked: no template was scored
    }

    /// <summary>A row without a label column.</summary>
    public sealed class UnlabelledRow
    {
        public string goal { get; set; } = "";
        public string sol1 { get; set; } = "";
        public string sol2 { get; set; } = "";
    }

    /// <summary>Answers every request with one template.</summary>
    private sealed class OneReplyChatClient(string template) : IChatClient
    {
        /// <summary>How many requests it answered.</summary>
        public int Calls { get; private set; }

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Calls++;
            return System.Threading.Tasks.Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, template)));
        }

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
            [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await System.Threading.Tasks.Task.CompletedTask;
            throw new NotSupportedException();
#pragma warning disable CS0162 // an async iterator needs a yield somewhere
            yield break;
#pragma warning restore CS0162
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
