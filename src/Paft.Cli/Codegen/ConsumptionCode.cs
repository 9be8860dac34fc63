using System.Text;

namespace Paft.Cli.Codegen;

/// <summary>
/// <c>NAME.consumption.cs</c>: <c>ModelInput</c> (one property a task field, and the label), <c>ModelOutput</c>
/// (<c>PredictedLabel</c>, <c>Score</c>, in generation mode <c>GeneratedText</c>), a lazily loaded model and prediction
/// engine, and <c>Predict</c>/<c>PredictAll</c> — the shape of Model Builder's consumption file.
/// </summary>
internal static class ConsumptionCode
{
    public static string Write(CodegenInput input)
    {
        StringBuilder code = input.StartFile(GeneratedApi.ConsumptionUsings, inNamespace: true);
        code.AppendLine($"/// <summary>The PAFT model '{CSharpText.Xml(input.Name)}' (task '{CSharpText.Xml(input.Task.Name)}'): its rows, and predictions with it.</summary>");
        code.AppendLine($"public static partial class {input.Name}");
        code.AppendLine("{");
        code.AppendLine("    /// <summary>One row the model reads: the task's fields, and the label when it is known.</summary>");
        code.AppendLine("    public sealed class ModelInput");
        code.AppendLine("    {");
        foreach ((string field, string property) in input.FieldProperties)
        {
            code.AppendLine($"        /// <summary>The task field <c>{CSharpText.Xml(field)}</c>.</summary>");
            code.AppendLine($"        [ColumnName({CSharpText.String(field)})]");
            code.AppendLine($"        public string {property} {{ get; set; }} = \"\";");
            code.AppendLine();
        }
        code.AppendLine("        /// <summary>The answer as a key: 1 is the first option; 0 when unknown. Predictions do not read it.</summary>");
        code.AppendLine($"        [ColumnName({CSharpText.String(GeneratedApi.LabelColumn)}), KeyType({input.Task.OptionCount})]");
        code.AppendLine("        public uint Label { get; set; }");
        code.AppendLine("    }");
        code.AppendLine();
        code.AppendLine("    /// <summary>What the model predicts for a row.</summary>");
        code.AppendLine("    public sealed class ModelOutput");
        code.AppendLine("    {");
        code.AppendLine("        /// <summary>The predicted option as a key: 1 is the first option; 0 when a generated answer named none.</summary>");
        code.AppendLine($"        [ColumnName({CSharpText.String(GeneratedApi.PredictedLabelColumn)})]");
        code.AppendLine("        public uint PredictedLabel { get; set; }");
        code.AppendLine();
        code.AppendLine("        /// <summary>The probability of each option, in the task's option order.</summary>");
        code.AppendLine($"        [ColumnName({CSharpText.String(GeneratedApi.ScoreColumn)})]");
        code.AppendLine("        public float[] Score { get; set; } = [];");
        if (input.Generates)
        {
            code.AppendLine();
            code.AppendLine("        /// <summary>The text the model generated.</summary>");
            code.AppendLine($"        [ColumnName({CSharpText.String(GeneratedApi.GeneratedTextColumn)})]");
            code.AppendLine("        public string GeneratedText { get; set; } = \"\";");
        }
        code.AppendLine();
        code.AppendLine("        /// <summary>The answer label of <see cref=\"PredictedLabel\"/> (e.g. A), or an empty string for key 0.</summary>");
        code.AppendLine("        [NoColumn]");
        code.AppendLine("        public string PredictedAnswer => PredictedLabel >= 1 && PredictedLabel <= AnswerLabels.Count ? AnswerLabels[(int)PredictedLabel - 1] : \"\";");
        code.AppendLine("    }");
        code.AppendLine();
        code.AppendLine("    /// <summary>The task's answer labels, the values of the <c>PredictedLabel</c> keys.</summary>");
        code.AppendLine($"    public static IReadOnlyList<string> AnswerLabels {{ get; }} = [{string.Join(", ", input.Task.AnswerLabels.Select(CSharpText.String))}];");
        code.AppendLine();
        code.AppendLine("    /// <summary>The saved model folder. Set it before the first prediction if the model was moved.</summary>");
        code.AppendLine($"    public static string ModelPath {{ get; set; }} = {CSharpText.String(input.ModelFolder)};");
        code.AppendLine();
        code.AppendLine("    private static readonly MLContext Context = new();");
        code.AppendLine();
        code.AppendLine("    // Loaded on first use, once, whichever thread comes first.");
        code.AppendLine($"    private static readonly Lazy<{GeneratedApi.Transformer}> Model = new(() => {Format(GeneratedApi.LoadModel, "Context", "ModelPath")}, LazyThreadSafetyMode.ExecutionAndPublication);");
        code.AppendLine();
        code.AppendLine($"    private static readonly Lazy<PredictionEngine<ModelInput, ModelOutput>> Engine = new(() => {Format(GeneratedApi.CreatePredictionEngine, "Context", "Model.Value")}, LazyThreadSafetyMode.ExecutionAndPublication);");
        code.AppendLine();
        code.AppendLine("    // A prediction engine is not thread-safe; one engine behind a lock keeps one copy of the row buffers.");
        code.AppendLine("    private static readonly object EngineLock = new();");
        code.AppendLine();
        code.AppendLine("    /// <summary>Predicts one row. Safe to call from several threads.</summary>");
        code.AppendLine("    public static ModelOutput Predict(ModelInput input)");
        code.AppendLine("    {");
        code.AppendLine("        ArgumentNullException.ThrowIfNull(input);");
        code.AppendLine("        lock (EngineLock)");
        code.AppendLine("        {");
        code.AppendLine("            return Engine.Value.Predict(input);");
        code.AppendLine("        }");
        code.AppendLine("    }");
        code.AppendLine();
        code.AppendLine("    /// <summary>Predicts each row, in order, exactly as <see cref=\"Predict\"/> does.</summary>");
        code.AppendLine("    public static IReadOnlyList<ModelOutput> PredictAll(IEnumerable<ModelInput> inputs)");
        code.AppendLine("    {");
        code.AppendLine("        ArgumentNullException.ThrowIfNull(inputs);");
        code.AppendLine("        return inputs.Select(Predict).ToList();");
        code.AppendLine("    }");
        code.AppendLine("}");
        return code.ToString();
    }

    private static string Format(string template, params object[] args) => string.Format(System.Globalization.CultureInfo.InvariantCulture, template, args);
}
