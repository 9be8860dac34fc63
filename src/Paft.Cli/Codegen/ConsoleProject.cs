using System.Globalization;
using System.Text;

namespace Paft.Cli.Codegen;

/// <summary>
/// The console template: <c>NAME.csproj</c> and <c>Program.cs</c>, which reads a data file in the task's format and
/// prints one prediction a row (and with <c>--retrain DIR</c> runs the training code), built under the repository's
/// own settings: nullable on, warnings as errors, XML docs checked.
/// </summary>
internal static class ConsoleProject
{
    /// <param name="input">What the code is about.</param>
    /// <param name="paftReference">The Paft.MLNet project to reference by path, or null for the NuGet package of this version.</param>
    public static string ProjectFile(CodegenInput input, string? paftReference)
    {
        string reference = paftReference is null
            ? $"    <PackageReference Include=\"{GeneratedApi.PackageId}\" Version=\"{Project.PaftVersion.Current}\" />"
            : $"    <ProjectReference Include=\"{System.Security.SecurityElement.Escape(Path.GetFullPath(paftReference))}\" />";
        return $"""
            <!-- {input.Header("").TrimStart()} -->
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net{Environment.Version.Major}.0</TargetFramework>
                <RootNamespace>{input.Namespace}</RootNamespace>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <GenerateDocumentationFile>true</GenerateDocumentationFile>
                <!-- TorchSharp resolves to a newer version than ML.NET asks for (NU1603), as in Paft.MLNet itself. -->
                <NoWarn>$(NoWarn);NU1603</NoWarn>
              </PropertyGroup>
              <ItemGroup>
            {reference}
              </ItemGroup>
            </Project>

            """;
    }

    public static string Program(CodegenInput input, bool withTraining)
    {
        StringBuilder code = input.StartFile([.. GeneratedApi.ProgramUsings, input.Namespace], inNamespace: false);
        if (withTraining)
        {
            code.AppendLine("if (args is [\"--retrain\", string outputFolder])");
            code.AppendLine("{");
            code.AppendLine($"    {input.Name}.RetrainModel(new MLContext(seed: {CSharpText.Int(input.Settings.Seed ?? 0)}), outputFolder);");
            code.AppendLine("    Console.WriteLine($\"Saved the retrained model to '{outputFolder}'.\");");
            code.AppendLine("    return 0;");
            code.AppendLine("}");
        }
        code.AppendLine("if (args is not [string dataPath])");
        code.AppendLine("{");
        string usage = $"usage: {input.Name} DATA_FILE  (rows in the task's format; prints source, predicted key, answer and scores a row)" +
                       (withTraining ? $"\\n       {input.Name} --retrain OUTPUT_FOLDER" : "");
        code.AppendLine($"    Console.Error.WriteLine(\"{usage}\");");
        code.AppendLine("    return 2;");
        code.AppendLine("}");
        code.AppendLine();
        code.AppendLine($"{GeneratedApi.TaskType} task = {input.TaskExpression};");
        code.AppendLine($"IReadOnlyList<{GeneratedApi.ExampleType}> rows = {Format(GeneratedApi.ReadRows, "task", "dataPath")};");
        code.AppendLine($"IReadOnlyList<{input.Name}.ModelOutput> predictions = {input.Name}.PredictAll(rows.Select(row => new {input.Name}.ModelInput");
        code.AppendLine("{");
        foreach ((string field, string property) in input.FieldProperties)
            code.AppendLine($"    {property} = {Format(GeneratedApi.ExampleField, "row", CSharpText.String(field))},");
        code.AppendLine($"    Label = {Format(GeneratedApi.ExampleLabel, "row")} < 0 ? 0u : (uint){Format(GeneratedApi.ExampleLabel, "row")} + 1,");
        code.AppendLine("}));");
        code.AppendLine("for (int i = 0; i < rows.Count; i++)");
        code.AppendLine("{");
        code.AppendLine($"    {input.Name}.ModelOutput prediction = predictions[i];");
        code.AppendLine("    string scores = string.Join(' ', prediction.Score.Select(s => s.ToString(\"R\", CultureInfo.InvariantCulture)));");
        code.AppendLine($"    Console.WriteLine(string.Join('\\t', {Format(GeneratedApi.ExampleSource, "rows[i]")}, prediction.PredictedLabel.ToString(CultureInfo.InvariantCulture), prediction.PredictedAnswer, scores));");
        code.AppendLine("}");
        code.AppendLine("return 0;");
        return code.ToString();
    }

    private static string Format(string template, params object[] args) => string.Format(CultureInfo.InvariantCulture, template, args);
}
