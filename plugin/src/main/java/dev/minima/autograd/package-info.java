/**
 * The autograd bridge: gradients of an array with respect to other arrays through {@code torch.autograd.grad},
 * optionally keeping the graph so that it can be differentiated again.
 *
 * <p><b>Place on the path</b> data → objective → operator → estimator → result: underneath the objective and
 * the operators. A curvature operator turns the objective's loss into a gradient with a graph here and then
 * differentiates ⟨g, v⟩ here again (Pearlmutter's double backpropagation, docs/theory.md §5). The same bridge
 * serves first-order gradients to sharpness-aware training and ∇_θ f, ∇_x f to the stability and deep-linear
 * code.
 *
 * <p><b>Reuses</b> DJL's PyTorch engine only: {@code AutogradBridge} calls a tiny TorchScript module (built by
 * {@code TorchScriptArchive} from the source shipped beside it in the resources) through DJL's PyTorch JNI
 * ({@code JniUtils.loadModule}, {@code IValueUtils.forward}), {@code GradMode} switches PyTorch's thread-local recording, and
 * {@code NativeArrays} makes scalars and constants whose memory belongs to libtorch, so that a garbage
 * collection between forward and backward pass cannot free an operand autograd saved.
 */
package dev.minima.autograd;
