/** A valid submission as a partner types it into the modal (block id -> text). */
export const VALID_FORM: Record<string, string> = {
  image: 'eu.gcr.io/theplayground_repo/my_service:1.0.3',
  service: 'my-service',
  ZOOM_LEVEL: '16',
  PADDING: '24',
  PREDICTOR_CLASS: 'MyPredictor',
  PREDICTOR_PACKAGE: 'my_package.my_module',
};
