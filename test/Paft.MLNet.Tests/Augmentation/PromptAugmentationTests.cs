using Microsoft.ML;
using Microsoft.ML.Data;
using Paft.MLNet.Augmentation;
using Paft.MLNet.Prompts;
using Paft.MLNet.Tasks;

namespace Paft.MLNet.Tests.Augmentation;

public class PromptAugmentationTests
{
    private static readonly MLContext Ml = new(seed: 1);

    public sealed class PiqaRow
    {
        public string goal { get; set; } = "";
        public string sol1 { get; set; } = "";
        public string sol2 { get; set; } = "";
        public int Label { get; set; }
    }

    internal static PromptTemplate[] Pool(int count) =>
        Enumerable.Range(0, count)
            .Select(i => PromptTemplate.Parse($"Template {i}: {{goal}}\nA. {{sol1}}\nB. {{sol2}}\nAnswer:", $"t{i}"))
            .ToArray();

    internal static IEnumerable<PiqaRow> Rows(int count)
    {
        for (int i = 0; i < count; i++)
            yield return new PiqaRow { goal = $"goal {i}", sol1 = $"first {i}", sol2 = $"second {i}", Label = i % 2 };
    }

    internal static PromptAugmentationOptions Options(int templates = 10, int k = 4, int seed = 7, int epoch = 0) => new()
    {
        Task = TaskDefinition.Piqa,
        Templates = Pool(templates),
        RowsPerDraw = k,
        Seed = seed,
        Epoch = epoch,
    };

    private static List<(string Prompt, string Id)> Read(IDataView view)
    {
        var result = new List<(string, string)>();
        DataViewSchema.Column prompt = view.Schema["Prompt"], id = view.Schema["PromptId"];
        using DataViewRowCursor cursor = view.GetRowCursor([prompt, id]);
        ValueGetter<ReadOnlyMemory<char>> getPrompt = cursor.GetGetter<ReadOnlyMemory<char>>(prompt);
        ValueGetter<ReadOnlyMemory<char>> getId = cursor.GetGetter<ReadOnlyMemory<char>>(id);
        ReadOnlyMemory<char> p = default, i = default;
        while (cursor.MoveNext())
        {
            getPrompt(ref p);
            getId(ref i);
            result.Add((p.ToString(), i.ToString()));
        }
        return result;
    }

    private static List<(string Prompt, string Id)> Augment(PromptAugmentationOptions options, int rows) =>
        Read(new PromptAugmentationEstimator(Ml, options).Fit(Ml.Data.LoadFromEnumerable(Rows(rows)))
            .Transform(Ml.Data.LoadFromEnumerable(Rows(rows))));

    [Fact]
    public void PromptIsTheDrawnTemplateRenderedWithTheRowsFields()
    {
        PromptAugmentationOptions options = Options();
        List<(string Prompt, string Id)> rows = Augment(options, 40);
        Assert.Equal(40, rows.Count);
        for (int i = 0; i < rows.Count; i++)
        {
            PromptTemplate template = options.Templates.Single(t => t.Id == rows[i].Id);
            string expected = template.Render(new Dictionary<string, string>
            {
                ["goal"] = $"goal {i}", ["sol1"] = $"first {i}", ["sol2"] = $"second {i}",
            });
            Assert.Equal(expected, rows[i].Prompt);
        }
    }

    [Fact]
    public void SameSeedGivesSameDrawsAndAnotherSeedOthers()
    {
        var a = Augment(Options(seed: 3), 200).Select(r => r.Id).ToList();
        var b = Augment(Options(seed: 3), 200).Select(r => r.Id).ToList();
        var c = Augment(Options(seed: 4), 200).Select(r => r.Id).ToList();
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void ConsecutiveGroupsOfKRowsShareOneTemplate()
    {
        const int k = 4;
        var ids = Augment(Options(k: k), 400).Select(r => r.Id).ToList();
        for (int group = 0; group < 100; group++)
            Assert.Single(ids.Skip(group * k).Take(k).Distinct());
        // ...and groups are drawn independently: 100 groups over 10 templates use most of them.
        var perGroup = Enumerable.Range(0, 100).Select(g => ids[g * k]).ToList();
        Assert.True(perGroup.Distinct().Count() >= 8);
    }

    [Fact]
    public void EveryEpochIsANewDraw()
    {
        var epoch0 = Augment(Options(k: 1, epoch: 0), 300).Select(r => r.Id).ToList();
        var epoch1 = Augment(Options(k: 1, epoch: 1), 300).Select(r => r.Id).ToList();
        int same = epoch0.Zip(epoch1).Count(p => p.First == p.Second);
        // Independent draws over 10 templates agree about 10% of the time; a repeated draw would agree 100%.
        Assert.InRange(same, 5, 60);

        var transformer = new PromptAugmentationEstimator(Ml, Options(k: 1)).Fit(Ml.Data.LoadFromEnumerable(Rows(1)));
        Assert.Equal(epoch1, Read(transformer.WithEpoch(1).Transform(Ml.Data.LoadFromEnumerable(Rows(300)))).Select(r => r.Id));
    }

    [Fact]
    public void UniformDrawsPassAChiSquareTest()
    {
        const int templates = 10, rows = 20_000;
        var counts = Augment(Options(templates: templates, k: 1, seed: 11), rows)
            .GroupBy(r => r.Id).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(templates, counts.Count);
        double expected = rows / (double)templates;
        double chiSquare = counts.Values.Sum(c => (c - expected) * (c - expected) / expected);
        // Critical value of chi-square with 9 degrees of freedom at p = 0.001.
        Assert.True(chiSquare < 27.88, $"chi-square {chiSquare:F2} with 9 dof");
    }

    [Fact]
    public void WeightedDrawsFollowTheWeights()
    {
        double[] weights = [0, 1, 2, 3, 4];
        PromptAugmentationOptions options = Options(templates: 5, k: 1, seed: 5);
        options.Sampling = TemplateSampling.Weighted;
        options.Weights = weights;
        const int rows = 20_000;
        var counts = Augment(options, rows).GroupBy(r => r.Id).ToDictionary(g => g.Key, g => g.Count());
        Assert.False(counts.ContainsKey("t0")); // weight 0: never drawn
        double chiSquare = 0;
        for (int t = 1; t < 5; t++)
        {
            double expected = rows * weights[t] / weights.Sum();
            double observed = counts.GetValueOrDefault($"t{t}");
            chiSquare += (observed - expected) * (observed - expected) / expected;
        }
        Assert.True(chiSquare < 16.27, $"chi-square {chiSquare:F2} with 3 dof"); // p = 0.001
    }

    [Fact]
    public void WeightsCanChangeBetweenEpochs()
    {
        var transformer = new PromptAugmentationEstimator(Ml, Options(templates: 3, k: 1)).Fit(Ml.Data.LoadFromEnumerable(Rows(1)));
        var onlyLast = transformer.WithWeights([0, 0, 1]).WithEpoch(2);
        Assert.All(Read(onlyLast.Transform(Ml.Data.LoadFromEnumerable(Rows(50)))), r => Assert.Equal("t2", r.Id));
        Assert.Equal(2, onlyLast.Epoch);
    }


    [Fact]
    public void MissingFieldColumnFailsAtFitAndAtGetOutputSchemaNamingIt()
    {
        PromptAugmentationOptions options = Options();
        options.FieldColumns = new Dictionary<string, string> { ["goal"] = "Question" };
        var estimator = new PromptAugmentationEstimator(Ml, options);
        IDataView data = Ml.Data.LoadFromEnumerable(Rows(3));
        var fit = Assert.Throws<ArgumentOutOfRangeException>(() => estimator.Fit(data));
        Assert.Contains("'Question'", fit.Message);
        Assert.Contains("'goal'", fit.Message);
        var shape = Assert.Throws<ArgumentOutOfRangeException>(() =>
            estimator.GetOutputSchema(ShapeOf<PiqaRow>()));
        Assert.Contains("'Question'", shape.Message);
    }

    [Fact]
    public void NonTextFieldColumnIsRejectedNamingIt()
    {
        PromptAugmentationOptions options = Options();
        options.FieldColumns = new Dictionary<string, string> { ["sol2"] = "Label" };
        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new PromptAugmentationEstimator(Ml, options).Fit(Ml.Data.LoadFromEnumerable(Rows(3))));
        Assert.Contains("'Label'", error.Message);
        Assert.Contains("text", error.Message);
    }

    [Fact]
    public void TemplateMissingAPlaceholderIsRejectedNamingIt()
    {
        PromptAugmentationOptions options = Options();
        options.Templates = [.. Pool(2), PromptTemplate.Parse("{goal} A. {sol1} Answer:", "broken")];
        var error = Assert.Throws<ArgumentException>(() => new PromptAugmentationEstimator(Ml, options));
        Assert.Contains("'broken'", error.Message);
        Assert.Contains("sol2", error.Message);
    }

    [Fact]
    public void OutputSchemaShapeAddsTwoTextColumns()
    {
        var estimator = new PromptAugmentationEstimator(Ml, Options());
        SchemaShape shape = estimator.GetOutputSchema(ShapeOf<PiqaRow>());
        foreach (string name in new[] { "Prompt", "PromptId" })
        {
            SchemaShape.Column column = shape.Single(c => c.Name == name);
            Assert.Equal(SchemaShape.Column.VectorKind.Scalar, column.Kind);
            Assert.IsType<TextDataViewType>(column.ItemType);
        }
    }

    public sealed class Prediction
    {
        public string Prompt { get; set; } = "";
        public string PromptId { get; set; } = "";
        public uint LabelKey { get; set; }
    }

    [Fact]
    public void WorksInAnEstimatorChainAndAPredictionEngine()
    {
        IDataView data = Ml.Data.LoadFromEnumerable(Rows(20));
        var pipeline = Ml.Transforms.Conversion.MapValueToKey("LabelKey", "Label")
            .Append(new PromptAugmentationEstimator(Ml, Options(k: 2)))
            .Append(Ml.Transforms.CopyColumns("PromptCopy", "Prompt"));
        var model = pipeline.Fit(data);
        IDataView output = model.Transform(data);
        var copies = output.GetColumn<string>("PromptCopy").ToList();
        Assert.Equal(Read(output).Select(r => r.Prompt), copies);

        var engine = Ml.Model.CreatePredictionEngine<PiqaRow, Prediction>(model);
        Prediction p = engine.Predict(new PiqaRow { goal = "open a jar", sol1 = "twist", sol2 = "bite", Label = 1 });
        Assert.Contains("open a jar", p.Prompt);
        Assert.Contains("B. bite", p.Prompt);
        Assert.StartsWith("t", p.PromptId);
        Assert.Equal(2u, p.LabelKey);
    }

    public sealed class NoColumns;

    // SchemaShape.Create is internal to ML.NET; a no-op CustomMapping mints the shape of a row class.
    private static SchemaShape ShapeOf<TRow>() where TRow : class, new() =>
        Ml.Transforms.CustomMapping<NoColumns, TRow>(static (_, _) => { }, contractName: null)
            .GetOutputSchema(new SchemaShape([]));
}

/// <summary>The transform's memory use, measured alone (see <see cref="MemoryMeasurement"/>).</summary>
[Collection(MemoryMeasurement.Name)]
public class PromptAugmentationMemoryTests
{
    private static readonly MLContext Ml = new(seed: 1);

    [Fact]
    public void AMillionRowsStreamInConstantMemory()
    {
        var transformer = new PromptAugmentationEstimator(Ml, PromptAugmentationTests.Options(k: 4)).Fit(Ml.Data.LoadFromEnumerable(PromptAugmentationTests.Rows(1)));
        IDataView view = transformer.Transform(Ml.Data.LoadFromEnumerable(PromptAugmentationTests.Rows(1_000_000)));
        DataViewSchema.Column prompt = view.Schema["Prompt"];
        using DataViewRowCursor cursor = view.GetRowCursor([prompt]);
        ValueGetter<ReadOnlyMemory<char>> get = cursor.GetGetter<ReadOnlyMemory<char>>(prompt);
        ReadOnlyMemory<char> value = default;
        long chars = 0, rows = 0, heapAt100k = 0;
        while (cursor.MoveNext())
        {
            get(ref value);
            chars += value.Length;
            if (++rows == 100_000)
                heapAt100k = GC.GetTotalMemory(forceFullCollection: true);
        }
        long heapAt1m = GC.GetTotalMemory(forceFullCollection: true);
        Assert.Equal(1_000_000, rows);
        // The prompts would take chars * 2 bytes (about 100 MB) if anything kept them; the heap may not grow by 4 MB.
        Assert.True(chars * 2 > 50_000_000);
        Assert.True(heapAt1m - heapAt100k < 4_000_000, $"heap grew by {heapAt1m - heapAt100k} bytes from 1e5 to 1e6 rows");
    }
}
