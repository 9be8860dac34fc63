using Paft.Cli.Codegen;
using Paft.Cli.Commands;
using Paft.MLNet.Tasks;

namespace Paft.Cli.Tests.Codegen;

/// <summary>The consumption file's classes follow the task's columns and the scoring mode.</summary>
public sealed class ConsumptionCodeTests
{
    private static string Generate(TaskDefinition task, string mode) =>
        ConsumptionCode.Write(new CodegenInput("Demo", "DemoModel", task, "/models/demo",
            new TrainCommandConfig { Task = task.Name, Mode = mode }.WithDefaults(), "Demo.paftconfig"));

    [Fact]
    public void ModelInput_HasOnePropertyPerTaskFieldNamedByItsColumn_AndTheLabel_WithoutClashes()
    {
        var task = new TaskDefinition("custom", ["only-option1", "only-option2", "label", "2nd"], ["only-option1", "only-option2"]);

        string code = Generate(task, "loglik");

        Assert.Contains("[ColumnName(@\"only-option1\")]\n        public string OnlyOption1 { get; set; } = \"\";", code);
        Assert.Contains("[ColumnName(@\"only-option2\")]\n        public string OnlyOption2 { get; set; } = \"\";", code);
        Assert.Contains("[ColumnName(@\"label\")]\n        public string Label2 { get; set; } = \"\";", code);   // the field "label" is not the label
        Assert.Contains("[ColumnName(@\"2nd\")]\n        public string _2nd { get; set; } = \"\";", code);
        Assert.Contains("[ColumnName(@\"Label\"), KeyType(2)]\n        public uint Label { get; set; }", code);
        Assert.DoesNotContain("GeneratedText", code);
    }

    [Fact]
    public void InGenerationMode_ModelOutputAlsoHasTheGeneratedText()
    {
        string code = Generate(TaskDefinition.Piqa, "generate");

        Assert.Contains("[ColumnName(@\"GeneratedText\")]\n        public string GeneratedText { get; set; } = \"\";", code);
        Assert.Contains("[ColumnName(@\"PredictedLabel\")]\n        public uint PredictedLabel { get; set; }", code);
        Assert.Contains("[ColumnName(@\"Score\")]\n        public float[] Score { get; set; } = [];", code);
    }
}
