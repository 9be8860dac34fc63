using System.Text.RegularExpressions;
using Paft.MLNet.Evaluation;

namespace Paft.MLNet.Tests.Evaluation;

/// <summary>The Python-to-.NET pattern translation: where the engines differ, the translation follows Python.</summary>
public sealed class PythonRegexTests
{
    [Fact]
    public void Whitespace_is_python_whitespace()
    {
        // Python's str.isspace() (and re's \s) is .NET's \s plus the four information separators U+001C..U+001F.
        Regex space = PythonRegex.Translate(@"^\s$");
        for (int c = 0; c <= char.MaxValue; c++)
        {
            bool python = Regex.IsMatch(((char)c).ToString(), @"^\s$") || c is >= 0x1C and <= 0x1F;
            Assert.True(python == PythonWhitespace.Contains((char)c), $"U+{c:X4}");
            Assert.True(python == space.IsMatch(((char)c).ToString()), $"U+{c:X4}");
        }
        Assert.Equal("a\u001Cb", PythonWhitespace.Strip("\u001F\u3000a\u001Cb\u001C\u0085 "));
    }

    [Fact]
    public void Dot_and_non_space_take_a_whole_code_point()
    {
        // Python sees "1😀" as two characters, so "1." takes the emoji and the group after it is empty.
        Match match = PythonRegex.Translate(@"1.\s?(.*?)$").Match("1\U0001F600");
        Assert.True(match.Success);
        Assert.Equal("", match.Groups[1].Value);
        Assert.Equal("\U0001F600", PythonRegex.Translate(@"^(\S)$").Match("\U0001F600").Groups[1].Value);
    }

    [Fact]
    public void Ignore_case_folds_as_python_does()
    {
        Regex answer = PythonRegex.Translate("(?i)ANSWER:([AK])");
        Assert.Matches(answer, "anſwer:k");
        Assert.Matches(answer, "ANSWER:\u212A"); // Kelvin sign
        Assert.Matches(PythonRegex.Translate("(?i)I"), "\u0130");
        Assert.DoesNotMatch(answer, "ANSWER:b");
        Assert.DoesNotMatch(PythonRegex.Translate("(?i)A"), "\u00C5"); // Å is not a variant of A
    }

    [Fact]
    public void Braces_that_start_no_repeat_count_are_literals()
    {
        Assert.Matches(PythonRegex.Translate("boxed{([AB])}"), @"\boxed{B}");
    }

    [Theory]
    [InlineData(@"\d")]
    [InlineData(@"\w+")]
    [InlineData(@"\bA")]
    [InlineData("[^A]")]
    [InlineData("A{2}")]
    [InlineData("(?P<x>A)")]
    [InlineData("[A\\S]")]
    public void Constructs_outside_the_translation_are_refused(string pattern)
    {
        var error = Assert.Throws<NotSupportedException>(() => PythonRegex.Translate(pattern));
        Assert.Contains(pattern, error.Message);
    }
}
