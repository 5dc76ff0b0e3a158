/** The endpoint expression grammar; it lives in platform/ (the catalogue uses it for allocations). */
export {
  formatExpression,
  maxExpressionLength,
  parseExpression,
  type ExpressionNode,
} from '../platform/index.js'
