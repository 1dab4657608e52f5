namespace DefenderSnow.Simulators.ServiceNow;

/// <summary>How an unavailable instance answers every request (OAuth and Table API alike): with HTML, never JSON.</summary>
public enum ServiceNowOutage
{
    /// <summary>The instance serves normally.</summary>
    None,

    /// <summary>Under maintenance or upgrade: 503 with an HTML page.</summary>
    Maintenance,

    /// <summary>A hibernating developer instance: 200 with an HTML page that asks to wake it in the developer portal.</summary>
    Hibernating,
}
