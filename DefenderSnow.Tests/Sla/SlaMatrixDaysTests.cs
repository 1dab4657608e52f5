using DefenderSnow.Core.Defender;
using DefenderSnow.Core.ServiceNow;
using DefenderSnow.Core.Sla;

namespace DefenderSnow.Tests.Sla;

/// <summary>Which entry of an SLA matrix a finding's days come from, for the cases the end-to-end tests do not seed.</summary>
[TestFixture]
public sealed class SlaMatrixDaysTests
{
    private static readonly Dictionary<AssessmentSeverity, int> Severity = new()
    {
        [AssessmentSeverity.Critical] = 7,
        [AssessmentSeverity.High] = 14,
        [AssessmentSeverity.Medium] = 30,
        [AssessmentSeverity.Low] = 90,
    };

    private static readonly Dictionary<RiskLevel, int> Risk = new()
    {
        [RiskLevel.Critical] = 3,
        [RiskLevel.High] = 7,
        [RiskLevel.Medium] = 30,
        [RiskLevel.Low] = 60,
    };

    [TestCase("High", "Critical", 3, "slaMatrix.riskLevel.Critical", TestName = "The_risk_level_wins_over_the_severity_when_Defender_reports_one")]
    [TestCase("High", null, 14, "slaMatrix.severity.High", TestName = "The_severity_gives_the_days_without_a_risk_level")]
    [TestCase("high", "medium", 30, "slaMatrix.riskLevel.Medium", TestName = "Levels_are_read_without_case_as_rules_read_them")]
    [TestCase(null, null, 90, "slaMatrix.severity.Low", TestName = "A_recommendation_without_a_severity_gets_Lows_days")]
    public void Both_tables(string? severity, string? risk, int days, string source) =>
        Assert.That(new SlaMatrix(Severity, Risk, GracePeriod: false).DaysFor(severity, risk), Is.EqualTo(new SlaDays(days, source)));

    [Test]
    public void An_unknown_severity_gets_the_fewest_days_of_the_table()
    {
        var picked = new SlaMatrix(Severity, null, GracePeriod: false).DaysFor("Extreme", null);

        Assert.That(picked.Days, Is.EqualTo(7));
    }

    [Test]
    public void A_risk_only_matrix_reads_a_finding_without_a_risk_level_by_its_severitys_name()
    {
        var matrix = new SlaMatrix(null, Risk, GracePeriod: false);

        Assert.That((matrix.DaysFor("High", null).Days, matrix.DaysFor(null, null).Days), Is.EqualTo((7, 60)));
    }

    [Test]
    public void A_severity_only_matrix_ignores_the_risk_level()
    {
        var picked = new SlaMatrix(Severity, null, GracePeriod: false).DaysFor("Medium", "Critical");

        Assert.That(picked, Is.EqualTo(new SlaDays(30, "slaMatrix.severity.Medium")));
    }

    [Test]
    public void The_due_date_is_whole_days_after_now_in_UTC()
    {
        var now = new DateTimeOffset(2027, 3, 13, 23, 59, 30, TimeSpan.FromHours(-8));

        var due = SlaDueDate.InDays(now, 1);

        Assert.That((due, due.Offset, ServiceNowDateTime.Format(due)), Is.EqualTo((now.AddDays(1), TimeSpan.Zero, "2027-03-15 07:59:30")));
    }
}
