using System.Text.Json.Serialization;

namespace DefenderSnow.Core.ServiceNow.Instance;

// The rows of ServiceNow's own definition tables, read with raw values (sysparm_display_value=false), so every field,
// a boolean or a number included, arrives as a string.
//
// sys_db_object, "Tables" (one row per table; super_class references the table it extends) and sys_dictionary,
// "Dictionary entries" (one row per column of each table: element, internal_type, max_length, mandatory, read_only):
// https://www.servicenow.com/docs/r/platform-administration/table-administration/c_DataDictionaryTables.html
// sys_choice, "Choice table" (name = table, element = field, value, label, language, sequence, inactive):
// https://www.servicenow.com/docs/r/platform-administration/system-localization/r_ChoicesTable.html

internal sealed record ServiceNowTableRecord(
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("super_class.name")] string? SuperClassName);

internal sealed record ServiceNowChoiceRecord(
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("element")] string? Element,
    [property: JsonPropertyName("value")] string? Value,
    [property: JsonPropertyName("label")] string? Label,
    [property: JsonPropertyName("sequence")] string? Sequence);

internal sealed record ServiceNowDictionaryRecord(
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("element")] string? Element,
    [property: JsonPropertyName("internal_type")] string? InternalType,
    [property: JsonPropertyName("max_length")] string? MaxLength,
    [property: JsonPropertyName("mandatory")] string? Mandatory,
    [property: JsonPropertyName("read_only")] string? ReadOnly);
