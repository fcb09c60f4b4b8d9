/**
 * ONNX export of a method's encoder: {@link dev.contrastive.models.export.OnnxExport} writes the
 * model that maps whole images to what {@code Method.features} returns in evaluation mode; the
 * {@link dev.contrastive.models.nn.OnnxGraph} it builds is filled by the method ({@code
 * Method.exportFeatures}) and its modules ({@code Module.emit}), so a new method or module brings
 * its own ONNX form. {@code scripts/check-onnx.py} runs the ONNX checker over exported files.
 */
package dev.contrastive.models.export;
