using Microsoft.ML;
using Microsoft.ML.Data;
using Paft.Llama.Training;
using Paft.MLNet.Augmentation;
using Paft.MLNet.Prompts;
using Paft.MLNet.Scoring;
using Paft.MLNet.Tasks;
using Paft.MLNet.Tasks.Readers;

namespace Paft.MLNet.Training;

/// <summary>
/// What PAFT trains on, epoch by epoch: the training rows in the order the trainer visits them, each with
/// the template drawn for it, the rendered prompt and the answer. <see cref="PaftTrainer"/> tokenizes this
/// stream and <c>paft export</c> writes it, so the two cannot disagree.
/// </summary>
/// <remarks>
/// The paper's K: one template is held for K consecutive optimizer steps and then redrawn. An optimizer step
/// takes <c>BatchSize × GradientAccumulationSteps</c> rows, so each epoch's rows are first put in the
/// trainer's seeded visiting order (<see cref="EpochShuffle"/>), and the augmentation transform then draws one
/// template per <see cref="RowsPerDraw"/> = K × that many consecutive positions. Groups restart at every
/// epoch (the epoch's last group may be shorter than K steps), and every epoch draws anew.
/// </remarks>
public sealed class PaftTrainingStream
{
    private readonly TaskDefinition _task;
    private readonly IReadOnlyList<TaskExample> _rows;
    private readonly PromptAugmentationTransformer _augmentation;
    private readonly int _seed;

    /// <param name="task">The task the rows belong to.</param>
    /// <param name="templates">The training pool (one template for SFT).</param>
    /// <param name="rows">The training rows, in their file order.</param>
    /// <param name="redrawEverySteps">K: optimizer steps one template is held for.</param>
    /// <param name="batchSize">Rows per micro-batch.</param>
    /// <param name="gradientAccumulationSteps">Micro-batches per optimizer step.</param>
    /// <param name="seed">Seed of the visiting order and of the template draws.</param>
    internal PaftTrainingStream(TaskDefinition task, IReadOnlyList<PromptTemplate> templates, IReadOnlyList<TaskExample> rows,
        int redrawEverySteps, int batchSize, int gradientAccumulationSteps, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(redrawEverySteps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(gradientAccumulationSteps, 1);
        _task = task;
        _rows = rows;
        _seed = seed;
        RowsPerStep = checked(batchSize * gradientAccumulationSteps);
        RowsPerDraw = checked(redrawEverySteps * RowsPerStep);
        _augmentation = new PromptAugmentationTransformer(new PromptAugmentationOptions
        {
            Task = task,
            Templates = templates,
            RowsPerDraw = RowsPerDraw,
            Seed = seed,
        });
    }

    /// <summary>The stream of <paramref name="options"/>' run over <paramref name="rows"/>.</summary>
    public static PaftTrainingStream For(PaftTrainerOptions options, IReadOnlyList<TaskExample> rows) =>
        new(options.Task, options.TrainingTemplates, rows, options.RedrawEverySteps, options.BatchSize, options.GradientAccumulationSteps, options.Seed);

    /// <summary>Rows one optimizer step trains on (the last step of an epoch may have fewer).</summary>
    public int RowsPerStep { get; }

    /// <summary>Consecutive visiting positions that share one drawn template: K × <see cref="RowsPerStep"/>.</summary>
    public int RowsPerDraw { get; }

    /// <summary>The training pool.</summary>
    public IReadOnlyList<PromptTemplate> Templates => _augmentation.Templates;

    /// <summary>The rows of 0-based <paramref name="epoch"/> in visiting order, with their templates and prompts.</summary>
    public IReadOnlyList<PaftStreamRow> Epoch(int epoch)
    {
        int[] order = EpochShuffle.Order(_rows.Count, _seed, epoch);
        IDataView visited = order.Select(i => _rows[i]).ToDataView(_task);
        IDataView view = _augmentation.WithEpoch(epoch).Transform(visited);
        DataViewSchema.Column prompt = view.Schema["Prompt"], promptId = view.Schema["PromptId"];
        using DataViewRowCursor cursor = view.GetRowCursor([prompt, promptId]);
        ValueGetter<ReadOnlyMemory<char>> getPrompt = cursor.GetGetter<ReadOnlyMemory<char>>(prompt);
        ValueGetter<ReadOnlyMemory<char>> getId = cursor.GetGetter<ReadOnlyMemory<char>>(promptId);
        var templates = _augmentation.Templates.ToDictionary(t => t.Id);
        var stream = new PaftStreamRow[order.Length];
        ReadOnlyMemory<char> text = default, id = default;
        while (cursor.MoveNext())
        {
            int position = checked((int)cursor.Position);
            getPrompt(ref text);
            getId(ref id);
            stream[position] = new PaftStreamRow(position, order[position], _rows[order[position]], templates[id.ToString()], text.ToString());
        }
        return stream;
    }

    /// <summary>
    /// What the trainer appends to <paramref name="prompt"/> and learns to say: <paramref name="answer"/> after a space, unless the
    /// prompt already ends in white space (as the scorer joins them).
    /// </summary>
    public static string Completion(string prompt, string answer) => MultipleChoiceScorer.AnswerSeparator(prompt) + answer;

    /// <summary>The text the model learns to say for <paramref name="row"/>: its answer letter, or its correct option's text.</summary>
    public static string Answer(TaskDefinition task, TaskExample row, AnswerTarget target) =>
        target == AnswerTarget.Letter ? task.AnswerLabels[row.Label] : row.Fields[task.OptionFields[row.Label]];
}
