using System.Reflection;
using System.Runtime.Serialization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SegCluster.Contracts;

/// <summary>
/// The names the enums of <see cref="RunConfig"/>, runs and folds are stored and shown by: each member's
/// <see cref="EnumMemberAttribute"/> value (Newtonsoft's grain storage and System.Text.Json both read it from there).
/// </summary>
public static class Names
{
    public static string Name<T>(this T value) where T : struct, Enum => Table<T>.NameOf.TryGetValue(value, out var name)
        ? name : throw new ArgumentOutOfRangeException(nameof(value), value, $"not a {typeof(T).Name}");

    /// <summary>Every member's name, in declaration order.</summary>
    public static IReadOnlyList<string> Of<T>() where T : struct, Enum => Table<T>.All;

    /// <summary>The member of that name; throws <see cref="FormatException"/> listing the names.</summary>
    public static T Parse<T>(string name) where T : struct, Enum => TryParse<T>(name, out var value)
        ? value : throw new FormatException($"'{name}' is not one of {string.Join(", ", Of<T>())}");

    public static bool TryParse<T>(string name, out T value) where T : struct, Enum => Table<T>.ByName.TryGetValue(name, out value);

    private static class Table<T> where T : struct, Enum
    {
        public static readonly Dictionary<T, string> NameOf = typeof(T).GetFields(BindingFlags.Public | BindingFlags.Static).ToDictionary(
            f => (T)f.GetValue(null)!,
            f => f.GetCustomAttribute<EnumMemberAttribute>()?.Value ?? throw new InvalidOperationException($"{typeof(T).Name}.{f.Name} has no [EnumMember] name"));
        public static readonly Dictionary<string, T> ByName = NameOf.ToDictionary(p => p.Value, p => p.Key);
        public static readonly IReadOnlyList<string> All = [.. NameOf.Values];
    }
}

/// <summary>System.Text.Json reads and writes an enum by its <see cref="Names"/> name (config files, the runs table).</summary>
public sealed class NameConverter<T> : JsonConverter<T> where T : struct, Enum
{
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String ? Names.Parse<T>(reader.GetString()!) : throw new JsonException($"expected one of {string.Join(", ", Names.Of<T>())}");

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WriteStringValue(value.Name());
}
