using System.Text;
using System.Text.RegularExpressions;

namespace DefenderSnow.Tests.Walkthrough;

/// <summary>One shell command of a README block: its words (quotes removed, variables expanded lazily) and pipes.</summary>
public sealed record ShellCommand(string? Assigns, IReadOnlyList<IReadOnlyList<ShellWord>> Pipeline, string Text);

/// <summary>A word as written: literal text and <c>$NAME</c> references, expanded against the walkthrough's variables.</summary>
public sealed record ShellWord(IReadOnlyList<(string Text, bool IsVariable)> Parts)
{
    public string Expand(IReadOnlyDictionary<string, string> variables) => string.Concat(Parts.Select(p =>
        !p.IsVariable ? p.Text : variables.TryGetValue(p.Text, out var value) ? value : throw new InvalidOperationException($"${p.Text} is used before it is set.")));
}

/// <summary>
/// Reads the <c>bash</c> blocks of a README section and splits them into commands with the quoting rules of the
/// shell that the walkthrough uses: single quotes, double quotes with <c>$NAME</c>, adjacent pieces joined,
/// <c>#</c> comments, <c>|</c> pipes and one <c>NAME=$( ... )</c> capture per command. Anything else is refused,
/// so the README cannot grow a step this test does not understand.
/// </summary>
public static partial class ReadmeShell
{
    public static IReadOnlyList<string> BashBlocks(string markdown, string heading)
    {
        var start = markdown.IndexOf("\n## " + heading + "\n", StringComparison.Ordinal);
        if (start < 0)
        {
            throw new InvalidOperationException($"README has no '## {heading}' section.");
        }

        var end = markdown.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        var section = markdown[start..(end < 0 ? markdown.Length : end)];
        return FencedBash().Matches(section).Select(m => m.Groups["code"].Value).ToList();
    }

    public static IReadOnlyList<ShellCommand> Commands(string block)
    {
        var commands = new List<ShellCommand>();
        var text = block.Replace("\\\n", " ", StringComparison.Ordinal);
        var i = 0;
        while (i < text.Length)
        {
            var lineStart = i;
            string? assigns = null;
            var capture = Capture().Match(text, i);
            if (capture.Success && capture.Index == i)
            {
                assigns = capture.Groups["name"].Value;
                i += capture.Length;
            }

            var pipeline = new List<IReadOnlyList<ShellWord>> { new List<ShellWord>() };
            var ended = false;
            while (i < text.Length && !ended)
            {
                var c = text[i];
                if (c == '\n')
                {
                    i++;
                    ended = true;
                }
                else if (c is ' ' or '\t')
                {
                    i++;
                }
                else if (c == '#')
                {
                    while (i < text.Length && text[i] != '\n')
                    {
                        i++;
                    }
                }
                else if (c == '|')
                {
                    pipeline.Add(new List<ShellWord>());
                    i++;
                }
                else if (c == ')')
                {
                    // Only the capture's own parenthesis may close here: no subshells, no second capture.
                    if (assigns is null)
                    {
                        throw new FormatException($"Unexpected ')' in: {text[lineStart..(i + 1)]}");
                    }

                    i++;
                }
                else
                {
                    ((List<ShellWord>)pipeline[^1]).Add(Word(text, ref i));
                }
            }

            if (pipeline.Any(p => p.Count > 0))
            {
                if (pipeline.Any(p => p.Count == 0))
                {
                    throw new FormatException($"Empty stage in: {text[lineStart..i]}");
                }

                commands.Add(new ShellCommand(assigns, pipeline, text[lineStart..i].Trim()));
            }
        }

        return commands;
    }

    private static ShellWord Word(string text, ref int i)
    {
        var parts = new List<(string, bool)>();
        var literal = new StringBuilder();
        void Flush()
        {
            if (literal.Length > 0)
            {
                parts.Add((literal.ToString(), false));
                literal.Clear();
            }
        }

        void Variable(ref int at)
        {
            var name = VariableName().Match(text, at + 1);
            if (!name.Success || name.Index != at + 1)
            {
                throw new FormatException($"Unsupported $ at {at}: {text.Substring(at, Math.Min(20, text.Length - at))}");
            }

            Flush();
            parts.Add((name.Value, true));
            at += 1 + name.Length;
        }

        while (i < text.Length && text[i] is not (' ' or '\t' or '\n' or '|' or ')'))
        {
            switch (text[i])
            {
                case '\'':
                    var close = text.IndexOf('\'', i + 1);
                    literal.Append(text, i + 1, close - i - 1);
                    i = close + 1;
                    break;
                case '"':
                    i++;
                    while (text[i] != '"')
                    {
                        if (text[i] == '$')
                        {
                            Variable(ref i);
                        }
                        else
                        {
                            literal.Append(text[i] == '\\' ? text[++i] : text[i]);
                            i++;
                        }
                    }

                    i++;
                    break;
                case '$':
                    Variable(ref i);
                    break;
                case '\\' or '`' or ';' or '&' or '<' or '>' or '(':
                    throw new FormatException($"Unsupported shell syntax '{text[i]}' at: {text.Substring(i, Math.Min(40, text.Length - i))}");
                default:
                    literal.Append(text[i]);
                    i++;
                    break;
            }
        }

        Flush();
        return new ShellWord(parts);
    }

    [GeneratedRegex(@"```bash\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex FencedBash();

    [GeneratedRegex(@"(?<name>[A-Z_][A-Z0-9_]*)=\$\(")]
    private static partial Regex Capture();

    [GeneratedRegex(@"[A-Za-z_][A-Za-z0-9_]*")]
    private static partial Regex VariableName();
}
