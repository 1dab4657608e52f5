namespace DefenderSnow.Core.Sla;

/// <summary>A new assignment's due date and grace period, and where they come from.</summary>
/// <param name="Source">The matrix entry (<c>slaMatrix.severity.High</c>), or <c>request</c> for the request's own date or days.</param>
public sealed record SlaDueDate(DateTimeOffset DueDate, bool GracePeriod, string Source)
{
    /// <summary>What the request's own date or days are named as the source.</summary>
    public const string FromRequest = "request";

    /// <summary>
    /// The ticket's Due date, a date-time field of the task table that incident, problem and change_request extend
    /// (https://old.wiki/index.php/Task_Table; queried as <c>task.due_date</c> in
    /// http://snowlib.blogspot.com/2017/09/servicenow-gliderecord-query-for-past.html, which also notes it is stored in UTC).
    /// </summary>
    public const string TicketField = "due_date";

    /// <summary>
    /// The request's own due date (from its <c>dueDate</c> or <c>remediationTimeframeDays</c>, which a rule fills in from its
    /// own days) wins; without one, the matrix's days for the finding (<see cref="SlaMatrix.DaysFor"/>). The grace period is
    /// the request's when it gives one, else the matrix's for a date from the matrix, else none (as before the matrix).
    /// </summary>
    /// <exception cref="InvalidOperationException">Neither a date nor a matrix: the request was checked for one of them.</exception>
    public static SlaDueDate For(DateTimeOffset? requested, bool? gracePeriod, SlaMatrix? matrix, string? severity, string? riskLevel, DateTimeOffset now)
    {
        if (requested is { } date)
        {
            return new SlaDueDate(date.ToUniversalTime(), gracePeriod ?? false, FromRequest);
        }

        var days = (matrix ?? throw new InvalidOperationException("A request without a due date needs the integration's SLA matrix.")).DaysFor(severity, riskLevel);
        return new SlaDueDate(InDays(now, days.Days), gracePeriod ?? matrix.GracePeriod, days.Source);
    }

    /// <summary>
    /// <paramref name="days"/> whole days of 24 hours after <paramref name="now"/>, counted in UTC: neither the host's nor the
    /// ServiceNow user's time zone moves it, and a daylight-saving change in either adds or takes no hour.
    /// </summary>
    public static DateTimeOffset InDays(DateTimeOffset now, int days) => now.ToUniversalTime().AddDays(days);
}
