// RGBA thumbnails from the Worker as JPEG data URLs the page can show and keep in a card.
export function rgbaToDataUrl(f: { width: number; height: number; rgba: Uint8ClampedArray | ArrayBuffer }, quality = 0.8): string {
  const canvas = document.createElement('canvas');
  canvas.width = f.width;
  canvas.height = f.height;
  const pixels = f.rgba instanceof Uint8ClampedArray ? f.rgba : new Uint8ClampedArray(f.rgba);
  canvas.getContext('2d')!.putImageData(new ImageData(pixels, f.width, f.height), 0, 0);
  return canvas.toDataURL('image/jpeg', quality);
}
