using DefenderSnow.Simulators.Hosting;

namespace DefenderSnow.Simulators.ServiceNow;

/// <summary>What the refresh grant answers about the refresh token; real instances differ.</summary>
public enum RefreshTokenRotation
{
    /// <summary>The same refresh token comes back.</summary>
    ReturnSame,
    /// <summary>A new refresh token comes back and the old one stops working.</summary>
    Rotate,
    /// <summary>No refresh token in the answer; the old one keeps working.</summary>
    Omit,
}

/// <summary>How a <see cref="ServiceNowSimulator"/> is started; token settings can be changed later (<see cref="ServiceNowSimulator.SetTokenSettings"/>).</summary>
public sealed record ServiceNowSimulatorOptions : SimulatorOptions
{
    /// <summary>ServiceNow's default is 1,800 s; <c>expires_in</c> reports one second less, as ServiceNow does.</summary>
    public TimeSpan AccessTokenLifespan { get; init; } = TimeSpan.FromSeconds(1800);

    /// <summary>ServiceNow's default is 100 days.</summary>
    public TimeSpan RefreshTokenLifespan { get; init; } = TimeSpan.FromDays(100);

    public RefreshTokenRotation RefreshTokenRotation { get; init; } = RefreshTokenRotation.ReturnSame;

    /// <summary>
    /// Where the instance sends ticket events (DefenderSnow's <c>/api/ticket-events/{integrationId}</c>), as the business
    /// rule of <c>servicenow/</c> does; <c>null</c> sends none. Changed later with <see cref="ServiceNowSimulator.SendTicketEventsTo"/>
    /// or <c>PUT /_sim/servicenow/ticket-events</c>.
    /// </summary>
    public Uri? TicketEventsUrl { get; init; }

    /// <summary>How plain dates in encoded queries are read; changed later with <see cref="ServiceNowSimulator.QueryDateReading"/>.</summary>
    public ServiceNowQueryDateReading QueryDateReading { get; init; } = ServiceNowQueryDateReading.UserZone;

    /// <summary>
    /// <c>glide.sys.default.tz</c>, set as ServiceNow advises administrators to (docs "Time zones"); UTC here so that counts
    /// and dates stay simple. <c>null</c> leaves no such property (the zone of a real instance's JVM, which no client can
    /// read). Changed later with <see cref="ServiceNowSimulator.SetSystemTimeZone"/>.
    /// </summary>
    public string? SystemTimeZone { get; init; } = "Etc/UTC";

    /// <summary>The webhook secret the events are signed with (DefenderSnow's <c>POST /api/integrations/{id}/webhook</c>).</summary>
    public string? TicketEventsSecret { get; init; }
}

/// <summary>The OAuth application's token settings: lifespans and what the refresh grant does with the refresh token.</summary>
public sealed record ServiceNowTokenSettings(TimeSpan AccessTokenLifespan, TimeSpan RefreshTokenLifespan, RefreshTokenRotation RefreshTokenRotation);
