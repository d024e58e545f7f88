using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using SegCluster.Experiment;

namespace SegCluster.Learning.Data;

/// <summary>
/// A reader for the part of MATLAB's Level 5 MAT-file format that SBD's cls/*.mat files use: top-level variables
/// (possibly zlib-compressed), structs, and numeric matrices (uint8 and the other integer and float classes).
/// Cell arrays and sparse matrices (SBD's Boundaries) are recognised and skipped.
/// </summary>
public static class MatFile
{
    private const int MiInt8 = 1, MiUInt8 = 2, MiInt16 = 3, MiUInt16 = 4, MiInt32 = 5, MiUInt32 = 6, MiSingle = 7, MiDouble = 9,
        MiInt64 = 12, MiUInt64 = 13, MiMatrix = 14, MiCompressed = 15;
    private const int MxCell = 1, MxStruct = 2, MxSparse = 5;

    /// <summary>A numeric matrix, values converted to double, column-major as MATLAB stores them.</summary>
    public sealed record Matrix(int Rows, int Columns, int ClassId, double[] ColumnMajor);

    /// <summary>Reads SBD's GTcls.Segmentation as a label mask (0 background, 1..20 classes).</summary>
    public static SegmentationMask ReadSbdSegmentation(string path)
    {
        var matrix = ReadStructField(path, "GTcls", "Segmentation");
        var labels = new byte[matrix.Rows * matrix.Columns];
        for (var column = 0; column < matrix.Columns; column++)
            for (var row = 0; row < matrix.Rows; row++)
            {
                var value = matrix.ColumnMajor[column * matrix.Rows + row];
                if (value is < 0 or > 255 || value != Math.Floor(value))
                    throw new DataFileException(path, $"GTcls.Segmentation value {value} at ({column}, {row}) is not a label");
                labels[row * matrix.Columns + column] = (byte)value;
            }
        return new SegmentationMask(matrix.Columns, matrix.Rows, labels).Validated(path);
    }

    /// <summary>Reads the numeric field of a 1x1 struct variable.</summary>
    public static Matrix ReadStructField(string path, string variable, string field)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) { throw new DataFileException(path, $"cannot read ({e.Message})", e); }
        try
        {
            if (bytes.Length < 128) throw new DataFileException(path, "too short for a MAT-file header (128 bytes)");
            if (bytes[126] != 'I' || bytes[127] != 'M')
                throw new DataFileException(path, bytes[126] == 'M' && bytes[127] == 'I'
                    ? "big-endian MAT-files are not supported"
                    : "not a MATLAB Level 5 MAT-file (no 'IM' endian marker; v7.3/HDF5 files are not supported)");
            var offset = 128;
            while (offset < bytes.Length)
            {
                var (type, data, next) = ReadElement(bytes, offset, path);
                offset = next;
                if (type == MiCompressed) data = Inflate(data, path);
                else if (type != MiMatrix) continue;
                var (innerType, matrixData, _) = type == MiCompressed ? ReadElement(data, 0, path) : (type, data, 0);
                if (innerType != MiMatrix) continue;
                var found = TryReadStructField(matrixData, variable, field, path);
                if (found is not null) return found;
            }
            throw new DataFileException(path, $"no variable '{variable}' with field '{field}'");
        }
        catch (Exception e) when (e is not DataFileException)
        {
            throw new DataFileException(path, $"malformed MAT-file ({e.Message})", e);
        }
    }

    private static Matrix? TryReadStructField(byte[] matrix, string variable, string field, string path)
    {
        var (flagsType, flags, offset) = ReadElement(matrix, 0, path);
        if (flagsType != MiUInt32 || flags.Length < 8) throw new DataFileException(path, "matrix without array flags");
        var classId = flags[0];
        var (_, _, afterDims) = ReadElement(matrix, offset, path);
        var (_, nameBytes, afterName) = ReadElement(matrix, afterDims, path);
        if (Encoding.ASCII.GetString(nameBytes) != variable) return null;
        if (classId != MxStruct) throw new DataFileException(path, $"variable '{variable}' is not a struct");
        var (_, fieldLengthData, afterFieldLength) = ReadElement(matrix, afterName, path);
        var fieldNameLength = BinaryPrimitives.ReadInt32LittleEndian(fieldLengthData);
        var (_, namesData, position) = ReadElement(matrix, afterFieldLength, path);
        if (fieldNameLength <= 0) throw new DataFileException(path, $"struct '{variable}' has a bad field-name length");
        var fieldNames = Enumerable.Range(0, namesData.Length / fieldNameLength)
            .Select(i => Encoding.ASCII.GetString(namesData, i * fieldNameLength, fieldNameLength).TrimEnd('\0'))
            .ToList();
        var fieldIndex = fieldNames.IndexOf(field);
        if (fieldIndex < 0) throw new DataFileException(path, $"struct '{variable}' has no field '{field}' (fields: {string.Join(", ", fieldNames)})");
        for (var i = 0; i <= fieldIndex; i++)
        {
            var (type, data, next) = ReadElement(matrix, position, path);
            if (type != MiMatrix) throw new DataFileException(path, $"struct '{variable}' field {i} is not a matrix");
            if (i == fieldIndex) return ReadNumeric(data, $"{variable}.{field}", path);
            position = next;
        }
        return null;
    }

    private static Matrix ReadNumeric(byte[] matrix, string name, string path)
    {
        var (_, flags, offset) = ReadElement(matrix, 0, path);
        var classId = flags[0];
        if (classId is MxCell or MxStruct or MxSparse) throw new DataFileException(path, $"{name} is not a numeric matrix (class {classId})");
        var (_, dims, afterDims) = ReadElement(matrix, offset, path);
        if (dims.Length != 8) throw new DataFileException(path, $"{name} is not two-dimensional");
        var rows = BinaryPrimitives.ReadInt32LittleEndian(dims);
        var columns = BinaryPrimitives.ReadInt32LittleEndian(dims.AsSpan(4));
        if (rows < 1 || columns < 1) throw new DataFileException(path, $"{name} is empty ({rows}x{columns})");
        if (rows > ImageFiles.MaxSide || columns > ImageFiles.MaxSide)
            throw new DataFileException(path, $"{name} is {rows}x{columns}; at most {ImageFiles.MaxSide} per side is accepted");
        var (_, _, afterName) = ReadElement(matrix, afterDims, path);
        var (dataType, data, _) = ReadElement(matrix, afterName, path);
        var values = Decode(dataType, data, path, name);
        if (values.Length != rows * columns)
            throw new DataFileException(path, $"{name} holds {values.Length} values for {rows}x{columns} (truncated?)");
        return new Matrix(rows, columns, classId, values);
    }

    private static double[] Decode(int type, byte[] data, string path, string name)
    {
        int size = type switch
        {
            MiInt8 or MiUInt8 => 1,
            MiInt16 or MiUInt16 => 2,
            MiInt32 or MiUInt32 or MiSingle => 4,
            MiDouble or MiInt64 or MiUInt64 => 8,
            _ => throw new DataFileException(path, $"{name} has unsupported data type {type}"),
        };
        var values = new double[data.Length / size];
        var span = data.AsSpan();
        for (var i = 0; i < values.Length; i++)
        {
            var v = span.Slice(i * size, size);
            values[i] = type switch
            {
                MiInt8 => (sbyte)v[0],
                MiUInt8 => v[0],
                MiInt16 => BinaryPrimitives.ReadInt16LittleEndian(v),
                MiUInt16 => BinaryPrimitives.ReadUInt16LittleEndian(v),
                MiInt32 => BinaryPrimitives.ReadInt32LittleEndian(v),
                MiUInt32 => BinaryPrimitives.ReadUInt32LittleEndian(v),
                MiSingle => BinaryPrimitives.ReadSingleLittleEndian(v),
                MiDouble => BinaryPrimitives.ReadDoubleLittleEndian(v),
                MiInt64 => BinaryPrimitives.ReadInt64LittleEndian(v),
                _ => BinaryPrimitives.ReadUInt64LittleEndian(v),
            };
        }
        return values;
    }

    /// <summary>One data element: (type, payload, offset of the next element). Handles the small (4-byte) form.</summary>
    private static (int Type, byte[] Data, int Next) ReadElement(byte[] buffer, int offset, string path)
    {
        if (offset + 8 > buffer.Length) throw new DataFileException(path, "truncated MAT-file (element tag past the end)");
        var first = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(offset));
        if ((first >> 16) != 0)
        {
            var smallType = (int)(first & 0xFFFF);
            var smallLength = (int)(first >> 16);
            if (smallLength > 4) throw new DataFileException(path, "malformed small data element");
            return (smallType, buffer.AsSpan(offset + 4, smallLength).ToArray(), offset + 8);
        }
        var length = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(offset + 4));
        if (offset + 8 + (long)length > buffer.Length)
            throw new DataFileException(path, $"truncated MAT-file (element of {length} bytes at offset {offset} runs past the end)");
        var payload = buffer.AsSpan(offset + 8, (int)length).ToArray();
        // Compressed elements are not padded; all others are padded to a multiple of 8 bytes.
        var next = offset + 8 + (int)length;
        if ((int)(first & 0xFFFF) != MiCompressed) next += (8 - (int)(length % 8)) % 8;
        return ((int)(first & 0xFFFF), payload, Math.Min(next, buffer.Length));
    }

    private static byte[] Inflate(byte[] compressed, string path)
    {
        try
        {
            using var input = new ZLibStream(new MemoryStream(compressed), CompressionMode.Decompress);
            using var output = new MemoryStream();
            input.CopyTo(output);
            return output.ToArray();
        }
        catch (InvalidDataException e) { throw new DataFileException(path, $"corrupt compressed data ({e.Message})", e); }
    }

    /// <summary>
    /// Writes a label mask as SBD does: a compressed Level 5 MAT-file holding struct GTcls with the uint8 field
    /// Segmentation (used by the generated data set).
    /// </summary>
    public static void WriteSbdSegmentation(string path, SegmentationMask mask)
    {
        var columnMajor = new byte[mask.Labels.Length];
        for (var y = 0; y < mask.Height; y++)
            for (var x = 0; x < mask.Width; x++)
                columnMajor[x * mask.Height + y] = mask.Labels[y * mask.Width + x];

        var field = new MemoryStream();
        WriteElement(field, MiUInt32, [9, 0, 0, 0, 0, 0, 0, 0]);                 // mxUINT8_CLASS
        WriteElement(field, MiInt32, Int32s(mask.Height, mask.Width));
        WriteElement(field, MiInt8, []);                                          // fields have no name of their own
        WriteElement(field, MiUInt8, columnMajor);

        var structure = new MemoryStream();
        WriteElement(structure, MiUInt32, [MxStruct, 0, 0, 0, 0, 0, 0, 0]);
        WriteElement(structure, MiInt32, Int32s(1, 1));
        WriteElement(structure, MiInt8, Encoding.ASCII.GetBytes("GTcls"));
        WriteElement(structure, MiInt32, Int32s(32));                             // field-name length
        var name = new byte[32];
        Encoding.ASCII.GetBytes("Segmentation").CopyTo(name, 0);
        WriteElement(structure, MiInt8, name);
        WriteElement(structure, MiMatrix, field.ToArray());

        var variable = new MemoryStream();
        WriteElement(variable, MiMatrix, structure.ToArray());
        var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true)) z.Write(variable.ToArray());

        var header = new byte[128];
        Array.Fill(header, (byte)' ', 0, 116);
        Encoding.ASCII.GetBytes("MATLAB 5.0 MAT-file, written by SegCluster").CopyTo(header, 0);
        header[124] = 0x00; header[125] = 0x01; header[126] = (byte)'I'; header[127] = (byte)'M';
        var temporary = path + ".tmp";
        using (var file = File.Create(temporary))
        {
            file.Write(header);
            WriteElement(file, MiCompressed, compressed.ToArray(), pad: false);
        }
        File.Move(temporary, path, overwrite: true);
    }

    private static byte[] Int32s(params int[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(i * 4), values[i]);
        return bytes;
    }

    private static void WriteElement(Stream stream, int type, byte[] data, bool pad = true)
    {
        Span<byte> tag = stackalloc byte[8];
        BinaryPrimitives.WriteInt32LittleEndian(tag, type);
        BinaryPrimitives.WriteInt32LittleEndian(tag[4..], data.Length);
        stream.Write(tag);
        stream.Write(data);
        if (pad) stream.Write(new byte[(8 - data.Length % 8) % 8]);
    }
}
