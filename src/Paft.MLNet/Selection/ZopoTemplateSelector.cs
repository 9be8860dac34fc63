using Paft.MLNet.Prompts;
using Paft.MLNet.Tasks;

namespace Paft.MLNet.Selection;

/// <summary>
/// Picks one template of a pool with few evaluations, after ZOPO (Hu et al., NeurIPS 2024, "Localized
/// Zeroth-Order Prompt Optimization"): templates are points in an embedding space; a Gaussian process
/// fitted to the accuracies seen so far predicts the others; a local search moves from the best point
/// of the current run to the unevaluated neighbour with the highest upper confidence bound, explores
/// the most uncertain neighbour when the posterior stays wide around it, and restarts from a random
/// template after <see cref="ZopoOptions.Patience"/> steps without improvement. No template is
/// evaluated twice. Used as the "ZOPO" baseline: fine-tune on the one template it picks.
/// </summary>
public sealed class ZopoTemplateSelector
{
    private readonly ZopoOptions _options;
    private readonly ITemplateEmbedder? _embedder;

    /// <summary>Creates a selector.</summary>
    /// <param name="options">Search settings; null uses the defaults.</param>
    /// <param name="embedder">Embeds the templates; null uses a <see cref="HashedNgramEmbedder"/> fitted on the pool. An
    /// <see cref="IBatchTemplateEmbedder"/> embeds the whole pool in one call.</param>
    public ZopoTemplateSelector(ZopoOptions? options = null, ITemplateEmbedder? embedder = null)
    {
        _options = options ?? new ZopoOptions();
        _options.Validate();
        _embedder = embedder;
    }

    /// <summary>Searches <paramref name="pool"/>, scoring each evaluated template by its accuracy on a validation sample.</summary>
    /// <param name="pool">The candidate templates.</param>
    /// <param name="task">Their task.</param>
    /// <param name="validation">Labelled rows the templates are scored on.</param>
    /// <param name="scorer">Answers the rendered prompts (the base model).</param>
    public ZopoResult Select(PromptPool pool, TaskDefinition task, IReadOnlyList<TaskExample> validation, IMultipleChoiceScorer scorer)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentNullException.ThrowIfNull(scorer);
        TemplateAccuracy.CheckRows(task, validation, nameof(validation));
        return Select(pool, template => TemplateAccuracy.Of(template, task, validation, scorer));
    }

    /// <summary>Searches <paramref name="pool"/> with any accuracy function.</summary>
    /// <param name="pool">The candidate templates.</param>
    /// <param name="accuracy">The (expensive) score of a template; higher is better. Called once per evaluated template.</param>
    /// <exception cref="ArgumentException">The pool is empty or the embeddings have different lengths or non-finite values.</exception>
    /// <exception cref="InvalidOperationException">The accuracy function returned a non-finite value, or the embedder failed.</exception>
    public ZopoResult Select(PromptPool pool, Func<PromptTemplate, double> accuracy)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(accuracy);
        return Select(pool, Embed(pool), accuracy);
    }

    /// <summary>Searches <paramref name="pool"/> over embeddings computed beforehand by <see cref="Embed"/>.</summary>
    internal ZopoResult Select(PromptPool pool, double[][] points, Func<PromptTemplate, double> accuracy)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(accuracy);
        if (points.Length != pool.Count)
            throw new ArgumentException($"{points.Length} embeddings were given for a pool of {pool.Count} templates.", nameof(points));
        double[,] distances = PairwiseDistances(points);
        double lengthScale = _options.LengthScale ?? MedianDistance(distances);
        return new Search(_options, pool, points, distances, lengthScale, accuracy).Run();
    }

    /// <summary>
    /// The pool's embeddings, checked: all one length, finite. A <see cref="IBatchTemplateEmbedder"/> gets the whole pool in one
    /// call (a remote model then answers in a few requests); any other embedder is called once per template.
    /// </summary>
    /// <exception cref="ArgumentException">The pool is empty or the embeddings have different lengths or non-finite values.</exception>
    internal double[][] Embed(PromptPool pool)
    {
        ArgumentNullException.ThrowIfNull(pool);
        if (pool.Count == 0)
            throw new ArgumentException("The pool is empty: there is no template to select.", nameof(pool));
        ITemplateEmbedder embedder = _embedder ?? new HashedNgramEmbedder(pool.Templates.Select(t => t.DisplayText));
        IReadOnlyList<float[]?> vectors;
        if (embedder is IBatchTemplateEmbedder batch)
        {
            vectors = batch.EmbedAll(pool.Templates.Select(t => t.DisplayText).ToArray())
                ?? throw new ArgumentException("The embedder returned no vectors for the pool.", nameof(pool));
            if (vectors.Count != pool.Count)
                throw new ArgumentException($"The embedder returned {vectors.Count} vectors for a pool of {pool.Count} templates.", nameof(pool));
        }
        else
        {
            vectors = pool.Templates.Select(t => embedder.Embed(t.DisplayText)).ToArray();
        }

        var points = new double[pool.Count][];
        for (int i = 0; i < pool.Count; i++)
        {
            float[] vector = vectors[i]
                ?? throw new ArgumentException($"The embedder returned no vector for template '{pool[i].Id}'.", nameof(pool));
            if (vector.Length == 0)
                throw new ArgumentException($"The embedding of template '{pool[i].Id}' is empty.", nameof(pool));
            if (i > 0 && vector.Length != points[0].Length)
                throw new ArgumentException(
                    $"The embedding of template '{pool[i].Id}' has {vector.Length} values; that of '{pool[0].Id}' has {points[0].Length}.", nameof(pool));
            if (vector.Any(v => !float.IsFinite(v)))
                throw new ArgumentException($"The embedding of template '{pool[i].Id}' has a non-finite value.", nameof(pool));
            points[i] = vector.Select(v => (double)v).ToArray();
        }
        return points;
    }

    private static double[,] PairwiseDistances(double[][] points)
    {
        int n = points.Length;
        var distances = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < i; j++)
                distances[i, j] = distances[j, i] = Math.Sqrt(CovarianceFunction.SquaredDistance(points[i], points[j]));
        return distances;
    }

    /// <summary>The median distance between distinct templates: a scale-free default for the RBF length scale.</summary>
    internal static double MedianDistance(double[,] distances)
    {
        int n = distances.GetLength(0);
        var values = new List<double>(n * (n - 1) / 2);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < i; j++)
                if (distances[i, j] > 0)
                    values.Add(distances[i, j]);
        if (values.Count == 0)
            return 1.0;
        values.Sort();
        int middle = values.Count / 2;
        return values.Count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }

    /// <summary>The state of one search.</summary>
    private sealed class Search(ZopoOptions options, PromptPool pool, double[][] points, double[,] distances,
        double lengthScale, Func<PromptTemplate, double> accuracy)
    {
        private readonly Random _random = new(options.Seed);
        private readonly bool[] _evaluated = new bool[pool.Count];
        private readonly List<int> _order = [];
        private readonly List<double> _values = [];
        private readonly List<ZopoStep> _trace = [];
        private int _anchor = -1;
        private double _runBest = double.NegativeInfinity;
        private int _sinceImprovement;

        public ZopoResult Run()
        {
            int budget = Math.Min(options.Budget, pool.Count);
            int initial = Math.Min(options.InitialSamples, budget);
            for (int s = 0; s < initial; s++)
                Evaluate(RandomUnevaluated(), double.NaN, double.NaN, ZopoStepReason.Init);
            // The random picks are one sample, not a run of failed steps: patience counts from here.
            _sinceImprovement = 0;

            while (_order.Count < budget)
            {
                CovarianceFunction kernel = Kernel();
                var process = new GaussianProcess(kernel, options.NoiseVariance, _order.Select(i => (IReadOnlyList<double>)points[i]).ToArray(), _values);
                if (_sinceImprovement >= options.Patience)
                {
                    int start = RandomUnevaluated();
                    (double mean, double variance) = process.Predict(points[start]);
                    _runBest = double.NegativeInfinity;
                    _sinceImprovement = 0;
                    Evaluate(start, mean, Math.Sqrt(variance), ZopoStepReason.Restart);
                    continue;
                }

                int[] candidates = NearestUnevaluated(_anchor, options.NeighbourCount);
                var predictions = candidates.Select(c => process.Predict(points[c])).ToArray();
                double meanStdRatio = candidates
                    .Select((c, k) => Math.Sqrt(predictions[k].Variance / Math.Max(kernel.Evaluate(points[c], points[c]), 1e-300)))
                    .Average();
                bool explore = meanStdRatio > options.ExploreStdRatio;
                int pick = 0;
                double bestScore = double.NegativeInfinity;
                for (int k = 0; k < candidates.Length; k++)
                {
                    double std = Math.Sqrt(predictions[k].Variance);
                    double score = explore ? std : predictions[k].Mean + options.Beta * std;
                    if (score > bestScore)
                    {
                        bestScore = score;
                        pick = k;
                    }
                }
                Evaluate(candidates[pick], predictions[pick].Mean, Math.Sqrt(predictions[pick].Variance),
                    explore ? ZopoStepReason.Explore : ZopoStepReason.Local);
            }

            int best = 0;
            for (int s = 1; s < _values.Count; s++)
                if (_values[s] > _values[best])
                    best = s;
            return new ZopoResult(pool[_order[best]].Template, _values[best], _trace);
        }

        private CovarianceFunction Kernel()
        {
            double signalVariance = options.SignalVariance ?? Math.Max(Variance(_values), 1e-4);
            return CovarianceFunction.Create(options.Kernel, lengthScale, signalVariance);
        }

        private void Evaluate(int index, double mean, double std, ZopoStepReason reason)
        {
            PromptTemplate template = pool[index].Template;
            double value = accuracy(template);
            if (!double.IsFinite(value))
                throw new InvalidOperationException($"The accuracy of template '{template.Id}' is {value}; it must be a finite number.");
            _evaluated[index] = true;
            _order.Add(index);
            _values.Add(value);
            _trace.Add(new ZopoStep(_trace.Count, template.Id, value, mean, std, reason));

            if (value > _runBest)
            {
                _runBest = value;
                _anchor = index;
                _sinceImprovement = 0;
            }
            else
            {
                _sinceImprovement++;
            }
        }

        private int RandomUnevaluated()
        {
            int[] open = Enumerable.Range(0, pool.Count).Where(i => !_evaluated[i]).ToArray();
            return open[_random.Next(open.Length)];
        }

        /// <summary>The <paramref name="count"/> unevaluated templates nearest to <paramref name="from"/> (ties by pool order).</summary>
        private int[] NearestUnevaluated(int from, int count) =>
            Enumerable.Range(0, pool.Count)
                .Where(i => !_evaluated[i])
                .OrderBy(i => distances[from, i])
                .ThenBy(i => i)
                .Take(count)
                .ToArray();

        private static double Variance(IReadOnlyList<double> values)
        {
            if (values.Count < 2)
                return 0;
            double mean = values.Average();
            return values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1);
        }
    }
}
