// The Worker's JPEG thumbnails as data URLs: what the page shows and keeps in a card (a data URL
// survives in localStorage and in an exported card; a blob: URL would not).
export function blobToDataUrl(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });
}

export const framesToViews = (frames: { timestamp: number; width: number; height: number; jpeg: Blob }[]) =>
  Promise.all(frames.map(async (f) => ({ timestamp: f.timestamp, width: f.width, height: f.height, url: await blobToDataUrl(f.jpeg) })));
