using Microsoft.ML;
using Microsoft.ML.Data;
using Paft.MLNet.Tasks;
using Paft.MLNet.Tasks.Readers;

namespace Paft.MLNet.Tests.Tasks;

public sealed class TaskDataViewTests
{
    private static TaskExample Piqa(string goal, int label) =>
        new(new Dictionary<string, string> { ["goal"] = goal, ["sol1"] = goal + " one", ["sol2"] = goal + " two" }, label);

    [Fact]
    public void Schema_has_a_text_column_per_field_and_a_key_label_named_by_letters()
    {
        IDataView view = new[] { Piqa("g", 1) }.ToDataView(TaskDefinition.Piqa);

        Assert.Equal(["goal", "sol1", "sol2", "Label"], view.Schema.Select(c => c.Name));
        Assert.All(view.Schema.Take(3), c => Assert.IsType<TextDataViewType>(c.Type));
        var key = Assert.IsType<KeyDataViewType>(view.Schema["Label"].Type);
        Assert.Equal(2ul, key.Count);

        VBuffer<ReadOnlyMemory<char>> names = default;
        view.Schema["Label"].GetKeyValues(ref names);
        Assert.Equal(["A", "B"], names.DenseValues().Select(v => v.ToString()));
    }

    [Fact]
    public void Label_is_one_based_key_and_unlabelled_is_missing()
    {
        var rows = new[] { Piqa("a", 0), Piqa("b", 1), Piqa("c", -1) };
        IDataView view = rows.ToDataView(TaskDefinition.Piqa);

        var keys = view.GetColumn<uint>("Label").ToArray();
        Assert.Equal([1u, 2u, 0u], keys);
        Assert.Equal(["a", "b", "c"], view.GetColumn<ReadOnlyMemory<char>>("goal").Select(v => v.ToString()));
        Assert.Equal(3, view.GetRowCount());
    }

    [Fact]
    public void Round_trip_gives_back_the_rows_and_ml_net_can_map_keys_to_letters()
    {
        var rows = new[] { Piqa("a", 0), Piqa("b", 1), Piqa("c", 1) };
        IDataView view = rows.ToDataView(TaskDefinition.Piqa);

        var back = TaskDataView.ToExamples(view, TaskDefinition.Piqa);
        Assert.Equal(rows.Select(r => r.Label), back.Select(r => r.Label));
        Assert.Equal(rows.Select(r => r.Fields["sol2"]), back.Select(r => r.Fields["sol2"]));

        var ml = new MLContext(seed: 1);
        IDataView letters = ml.Transforms.Conversion.MapKeyToValue("Letter", "Label").Fit(view).Transform(view);
        Assert.Equal(["A", "B", "B"], letters.GetColumn<ReadOnlyMemory<char>>("Letter").Select(v => v.ToString()));
    }

    [Fact]
    public void View_is_lazy_and_enumerates_the_source_per_cursor()
    {
        int produced = 0;
        IEnumerable<TaskExample> Source()
        {
            for (int i = 0; i < 3; i++) { produced++; yield return Piqa("g" + i, i % 2); }
        }
        IDataView view = Source().ToDataView(TaskDefinition.Piqa);
        Assert.Equal(0, produced);
        Assert.Null(view.GetRowCount());
        Assert.Equal(3, view.GetColumn<uint>("Label").Count());
        Assert.Equal(3, view.GetColumn<uint>("Label").Count());
        Assert.Equal(6, produced);
    }

    [Fact]
    public void Int32_label_column_is_accepted_and_a_wrong_key_count_is_rejected()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new IntRow { goal = "g", sol1 = "x", sol2 = "y", Label = 1 } });
        var back = TaskDataView.ToExamples(data, TaskDefinition.Piqa);
        Assert.Equal(1, back.Single().Label);

        IDataView race = new[] { Piqa("a", 0) }.ToDataView(TaskDefinition.Piqa);
        var error = Assert.Throws<ArgumentException>(() => TaskDataView.ToExamples(race, TaskDefinition.Race));
        Assert.Contains("'article'", error.Message);
    }

    [Fact]
    public void Row_missing_a_field_is_reported_with_its_source()
    {
        var bad = new TaskExample(new Dictionary<string, string> { ["goal"] = "g", ["sol1"] = "x" }, 0, "f.jsonl:7");
        IDataView view = new[] { bad }.ToDataView(TaskDefinition.Piqa);
        var error = Assert.Throws<InvalidDataException>(() => view.GetColumn<uint>("Label").ToArray());
        Assert.Contains("f.jsonl:7", error.Message);
        Assert.Contains("'sol2'", error.Message);
    }

    private sealed class IntRow
    {
#pragma warning disable IDE1006 // column names are the task's field names
        public string goal { get; set; } = "";
        public string sol1 { get; set; } = "";
        public string sol2 { get; set; } = "";
#pragma warning restore IDE1006
        public int Label { get; set; }
    }
}
