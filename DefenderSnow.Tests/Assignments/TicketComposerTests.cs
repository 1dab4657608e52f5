using DefenderSnow.Core.Assignments;
using DefenderSnow.Core.Defender;

namespace DefenderSnow.Tests.Assignments;

/// <summary>The ticket texts fit ServiceNow's field lengths, cut where a reader expects, and HTML becomes readable text.</summary>
public sealed class TicketComposerTests
{
    private const string Resource = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-web-01";

    [Test]
    public void A_short_description_names_the_recommendation_and_the_resource()
    {
        Assert.That(TicketComposer.ShortDescription("Enable MFA", Resource), Is.EqualTo("Enable MFA on vm-web-01"));
    }

    [Test]
    public void A_long_short_description_is_cut_on_a_word_to_160_characters()
    {
        var name = string.Join(' ', Enumerable.Repeat("recommendation", 20));

        var text = TicketComposer.ShortDescription(name, Resource);

        Assert.That(text.Length, Is.LessThanOrEqualTo(160));
        Assert.That(text, Does.EndWith("recommendation…"));
    }

    [Test]
    public void One_long_word_is_cut_where_it_must_be()
    {
        var text = TicketComposer.CutOnWord(new string('x', 300), 160);

        Assert.That(text, Has.Length.EqualTo(160));
    }

    [Test]
    public void Html_becomes_readable_text_without_markup_or_scripts()
    {
        var text = HtmlText.ToText("<p>Do this:</p><ul><li>First &amp; <b>bold</b></li><li>Second<ul><li>nested</li></ul></li></ul><style>p{}</style><script>x()</script><p>Done.<br>Really.</p>");

        Assert.That(text, Is.EqualTo("Do this:\n\n- First & bold\n- Second\n  - nested\n\nDone.\nReally."));
    }

    [Test]
    public void Plain_text_and_empty_input_pass_through()
    {
        Assert.That(HtmlText.ToText("  plain   words "), Is.EqualTo("plain words"));
        Assert.That(HtmlText.ToText(null), Is.Empty);
    }

    [Test]
    public void The_risk_line_gives_the_level_the_factors_and_the_attack_paths()
    {
        Assert.Multiple(() =>
        {
            Assert.That(
                TicketComposer.RiskLine(new AssessmentRisk("Critical", ["Exposure to the Internet", "Sensitive Data"], 2, true)),
                Is.EqualTo("Risk level: Critical (Exposure to the Internet, Sensitive Data; 2 attack paths)"));
            Assert.That(TicketComposer.RiskLine(new AssessmentRisk("High", [], 1, false)), Is.EqualTo("Risk level: High (1 attack path)"));
            Assert.That(TicketComposer.RiskLine(new AssessmentRisk("Low", [], 0, null)), Is.EqualTo("Risk level: Low"));
            Assert.That(TicketComposer.RiskLine(new AssessmentRisk(null, [], 0, null)), Is.Null, "nothing to say");
            Assert.That(TicketComposer.RiskLine(null), Is.Null, "api-versions before 2025-05-04 give no risk");
        });
    }
}
