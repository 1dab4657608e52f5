using System.Text;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace DefenderSnow.Core.Assignments;

/// <summary>
/// Turns the HTML Defender writes in recommendation texts into plain text a ServiceNow description shows
/// well: paragraphs and list items on their own lines, lists marked, scripts and styles dropped, entities decoded.
/// </summary>
internal static class HtmlText
{
    /// <summary>Stand apart: a line break before and after (an empty line between two of them).</summary>
    private static readonly HashSet<string> Blocks = new(StringComparer.OrdinalIgnoreCase)
    {
        "p", "div", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "table", "pre", "blockquote", "section",
    };

    /// <summary>Start a new line, so that list items and table rows follow each other without empty lines.</summary>
    private static readonly HashSet<string> Lines = new(StringComparer.OrdinalIgnoreCase) { "li", "tr", "br" };

    private static readonly HashSet<string> Skipped = new(StringComparer.OrdinalIgnoreCase) { "script", "style", "head", "template" };

    public static string ToText(string? html)
    {
        if (string.IsNullOrWhiteSpace(html))
        {
            return string.Empty;
        }

        var document = new HtmlParser().ParseDocument(html);
        var text = new StringBuilder();
        Append(document.Body ?? (INode)document, text, listDepth: 0);
        return Normalize(text.ToString());
    }

    private static void Append(INode node, StringBuilder text, int listDepth)
    {
        foreach (var child in node.ChildNodes)
        {
            switch (child)
            {
                case IText t:
                    text.Append(t.Data);
                    break;
                case IElement e when Skipped.Contains(e.LocalName):
                    break;
                case IElement e:
                    var isList = e.LocalName is "ul" or "ol";

                    // A list inside a list item continues that list: its items start their own lines anyway.
                    var isBlock = Blocks.Contains(e.LocalName) && !(isList && listDepth > 0);
                    if (isBlock || Lines.Contains(e.LocalName))
                    {
                        text.Append('\n');
                    }

                    if (e.LocalName.Equals("li", StringComparison.OrdinalIgnoreCase))
                    {
                        text.Append(new string(' ', 2 * Math.Max(0, listDepth - 1))).Append("- ");
                    }

                    Append(e, text, isList ? listDepth + 1 : listDepth);
                    if (isBlock)
                    {
                        text.Append('\n');
                    }

                    break;
            }
        }
    }

    /// <summary>Spaces collapsed within lines, at most one empty line between blocks, nothing around the whole.</summary>
    private static string Normalize(string raw)
    {
        var lines = new List<string>();
        foreach (var line in raw.Replace("\r", string.Empty, StringComparison.Ordinal).Split('\n'))
        {
            var indent = line.Length - line.TrimStart(' ').Length;
            var collapsed = string.Join(' ', line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
            var kept = collapsed.StartsWith("- ", StringComparison.Ordinal) ? new string(' ', indent) + collapsed : collapsed;
            if (kept.Length == 0 && (lines.Count == 0 || lines[^1].Length == 0))
            {
                continue;
            }

            lines.Add(kept);
        }

        return string.Join('\n', lines).Trim('\n', ' ');
    }
}
