using System.Text;
using System.Text.Json;

namespace Rill.Tracking.City;

/// <summary>
/// GeoJSON FeatureCollection of a city: each road edge as a LineString <c>{"kind":"road"}</c>, each restaurant as a
/// Point <c>{"kind":"restaurant","id","name"}</c>. Coordinates are [lon, lat] as GeoJSON requires.
/// </summary>
static class GeoJsonExport
{
    public static string Write(City city)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("type", "FeatureCollection");
            w.WriteStartArray("features");
            var nodes = city.Roads.Nodes;
            foreach (var (a, b) in city.Roads.Edges)
            {
                StartFeature(w, "LineString");
                w.WriteStartArray();
                Coordinate(w, nodes[a]);
                Coordinate(w, nodes[b]);
                w.WriteEndArray();
                w.WriteEndObject();
                w.WriteStartObject("properties");
                w.WriteString("kind", "road");
                w.WriteEndObject();
                w.WriteEndObject();
            }
            foreach (var r in city.Restaurants)
            {
                StartFeature(w, "Point");
                Coordinate(w, r.Location);
                w.WriteEndObject();
                w.WriteStartObject("properties");
                w.WriteString("kind", "restaurant");
                w.WriteString("id", r.Id);
                w.WriteString("name", r.Name);
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    }

    static void StartFeature(Utf8JsonWriter w, string geometryType)
    {
        w.WriteStartObject();
        w.WriteString("type", "Feature");
        w.WriteStartObject("geometry");
        w.WriteString("type", geometryType);
        w.WritePropertyName("coordinates");
    }

    static void Coordinate(Utf8JsonWriter w, GeoPoint p)
    {
        w.WriteStartArray();
        w.WriteNumberValue(Math.Round(p.Lon, 6));
        w.WriteNumberValue(Math.Round(p.Lat, 6));
        w.WriteEndArray();
    }
}
