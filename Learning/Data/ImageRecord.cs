namespace SegCluster.Learning.Data;

public enum MaskFormat { PalettePng, GrayPng, SbdMat }

/// <summary>One image and its label mask on disk.</summary>
public sealed record ImageRecord(string Id, string ImagePath, string MaskPath, MaskFormat Format)
{
    public SegmentationMask ReadMask() => Format switch
    {
        MaskFormat.SbdMat => MatFile.ReadSbdSegmentation(MaskPath),
        _ => ImageFiles.ReadPngMask(MaskPath),
    };
}

/// <summary>An image whose mask has been read: its size, the classes present and their pixel counts.</summary>
public sealed record AnnotatedImage(ImageRecord Record, int Width, int Height, IReadOnlyList<int> Classes, long[] PixelCounts, long[] GridCounts)
{
    public string Id => Record.Id;
}
