using Paft.MLNet.Prompts;
using Paft.MLNet.Tasks;

namespace Paft.Demo;

/// <summary>
/// The demo's pretrained base model and everything fine-tuning needs besides it: the task, its three splits
/// and the two template pools (<see cref="DemoRecipe.PretrainBase"/>).
/// </summary>
/// <param name="Directory">The base model's folder (Hugging Face layout with the word-level tokenizer); give it as <c>PaftTrainerOptions.ModelPath</c>.</param>
/// <param name="Task">The task (<see cref="DemoTask.Definition"/>).</param>
/// <param name="Splits">Training, validation and test rows.</param>
/// <param name="TrainTemplates">The training pool; its first template is single-template SFT's.</param>
/// <param name="TestTemplates">The unseen test pool, disjoint from the training pool.</param>
/// <param name="PretrainLosses">Loss of every pretraining step (empty when an existing base was reused).</param>
/// <param name="PretrainTokens">Tokens pretraining processed.</param>
/// <param name="Parameters">Parameters of the model.</param>
/// <param name="VocabularySize">Tokens of the word-level vocabulary (specials and bytes included).</param>
/// <param name="PlainAccuracy">The base model on the test rows asked in the plain pretraining form ("Where is the key? The key is
/// in the" → the right colour among the four containers'): the skill, without the multiple-choice format.</param>
public sealed record DemoBase(
    string Directory,
    TaskDefinition Task,
    DemoSplits Splits,
    IReadOnlyList<PromptTemplate> TrainTemplates,
    IReadOnlyList<PromptTemplate> TestTemplates,
    IReadOnlyList<double> PretrainLosses,
    long PretrainTokens,
    long Parameters,
    int VocabularySize,
    double PlainAccuracy);
